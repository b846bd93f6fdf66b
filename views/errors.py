"""Error pages a tired observer understands; never a bare stack trace."""

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: lambda: _("Something in this request was not right."),
    403: lambda: _("Your role does not give access to this page."),
    404: lambda: _("This page or entry does not exist, or is not yours to see."),
    405: lambda: _("This page cannot be used that way."),
    409: lambda: _("This conflicts with what was already saved."),
    413: lambda: _("What you sent is too large."),
    429: lambda: _("Too many failed attempts. Wait a few minutes, then try again."),
}


def init_app(app: Flask) -> None:
    """Render every HTTP error with the site's layout and a plain message."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("Your session expired or the form is too old. Go back, reload the "
                    "page and send again: your answers are still in the form.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        default = MESSAGES.get(error.code)
        described = error.description if error.description and \
            error.description != type(error).description else None
        message = described or (default() if default else error.name)
        return render_template("error.html", code=error.code, message=message), error.code
