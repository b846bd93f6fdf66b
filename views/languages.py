"""Which language each request speaks, the switch in the menu, and the glossary page.

The order: a ``?lang=`` in the URL (a link to a Kazakh PDF), the user's own
choice (kept on their account, so every device and the phone's offline copy
speak it), the choice made before logging in, the browser's Accept-Language,
the mission's default (BABEL_DEFAULT_LOCALE). An unknown code anywhere is
skipped, never an error page.
"""

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from forms.language import LanguageForm
from models import languages, users
from models.db import get_db
from views.auth import safe_next

bp = Blueprint("languages", __name__)


def default_language() -> str:
    """The mission's default language (an unknown BABEL_DEFAULT_LOCALE means English)."""
    return languages.or_default(None, current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    """Flask-Babel's locale selector: the first supported choice of the order above.

    Outside a request (a CLI command) the mission's default, unless ``--lang`` forced one.
    """
    if not has_request_context():
        return default_language()
    asked = [request.args.get("lang")]
    if current_user and current_user.is_authenticated:
        asked.append(getattr(current_user, "locale", None))
    asked.append(session.get("lang"))
    for code in asked:
        if languages.supported(code):
            return languages.supported(code)
    browser = request.accept_languages.best_match(list(languages.LANGUAGES))
    return languages.supported(browser) or default_language()


@bp.route("/language", methods=["POST"])
def switch():
    """Speak the language of the button pressed from now on, and go back to the page."""
    form = LanguageForm()
    if form.validate_on_submit():
        code = form.language(default_language())
        session["lang"] = code
        if current_user.is_authenticated:
            users.set_language(get_db(), current_user.id, code)
    return redirect(safe_next(form.next.data) or url_for("auth.index"))


@bp.route("/glossary")
@login_required
def glossary():
    """The mission's terms in English, Russian and Kazakh side by side."""
    return render_template("glossary.html", terms=languages.glossary(),
                           languages=languages.LANGUAGES)


def switch_next() -> str:
    """Jinja global: where the menu's switch comes back to (this page, with its query)."""
    return request.full_path.rstrip("?") if request.method == "GET" else request.path
