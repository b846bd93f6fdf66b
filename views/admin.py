"""Admins manage users (/admin/users): a new password, deactivation, team, region, language.

Every change is audited (models/users.py). A new password and deactivation
end the user's sessions at once; deactivation also revokes their API tokens.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from forms.admin import ConfirmForm, PasswordForm, PlaceForm
from forms.language import UserLanguageForm
from models import access, stations, users
from models.db import get_db
from views.auth import User, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin/users")


def _user_or_404(user_id: int) -> dict:
    user = users.get_any(get_db(), user_id)
    if user is None:
        abort(404)
    return user


def _place_form(user: dict, **kwargs) -> PlaceForm:
    return PlaceForm(role=user["role"], regions=stations.regions(get_db()),
                     current_region=user["region"] or "", **kwargs)


def _page(user: dict, status: int = 200, **forms):
    """The user's page; a refused form is passed back to show its messages."""
    forms.setdefault("password_form", PasswordForm(formdata=None))
    forms.setdefault("place_form", _place_form(
        user, formdata=None, data={"team": user["team"] or "", "region": user["region"] or ""}))
    forms.setdefault("confirm_form", ConfirmForm(formdata=None))
    forms.setdefault("language_form", UserLanguageForm(
        formdata=None, data={"lang": user.get("locale") or ""}))
    return render_template("admin/user.html", user=user,
                           is_self=user["id"] == current_user.id, **forms), status


def _done(user: dict, message: str):
    flash(message)
    return redirect(url_for("admin.user", user_id=user["id"]), code=303)


@bp.route("")
@roles_required(*access.ADMINS)
def index():
    """Every user: role, team, region, active or not, live API tokens."""
    return render_template("admin/users.html", users=users.listing(get_db()))


@bp.route("/<id:user_id>")
@roles_required(*access.ADMINS)
def user(user_id: int):
    """One user and the forms that manage them."""
    return _page(_user_or_404(user_id))


@bp.route("/<id:user_id>/password", methods=["POST"])
@roles_required(*access.ADMINS)
def password(user_id: int):
    """Set a new password; the user's open sessions end."""
    user = _user_or_404(user_id)
    form = PasswordForm()
    if not form.validate():
        return _page(user, 400, password_form=form)
    db = get_db()
    users.set_password(db, user_id, form.password.data, by=current_user.id)
    if user_id == current_user.id:
        # The admin's own sessions ended too; this one carries on under the new version.
        login_user(User(users.get_user(db, user_id)))
    return _done(user, _("New password set for %(name)s; their open sessions have ended.",
                         name=user["username"]))


@bp.route("/<id:user_id>/place", methods=["POST"])
@roles_required(*access.ADMINS)
def place(user_id: int):
    """Move the user to another team or region."""
    user = _user_or_404(user_id)
    form = _place_form(user)
    if not form.validate():
        return _page(user, 400, place_form=form)
    changes = users.change_place(get_db(), user_id, form.team.data, form.region.data,
                                 by=current_user.id)
    if not changes:
        return _done(user, _("Nothing changed for %(name)s.", name=user["username"]))
    return _done(user, _("Team and region of %(name)s saved.", name=user["username"]))


@bp.route("/<id:user_id>/language", methods=["POST"])
@roles_required(*access.ADMINS)
def language(user_id: int):
    """Set the language the user's pages speak (they can still switch it in the menu)."""
    user = _user_or_404(user_id)
    form = UserLanguageForm()
    if not form.validate():
        return _page(user, 400, language_form=form)
    users.set_language(get_db(), user_id, form.lang.data or None, by=current_user.id)
    return _done(user, _("Language of %(name)s saved.", name=user["username"]))


@bp.route("/<id:user_id>/deactivate", methods=["POST"])
@roles_required(*access.ADMINS)
def deactivate(user_id: int):
    """Lock the user out: sessions end, API tokens are revoked."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate():
        return _page(user, 400, confirm_form=form)
    if user_id == current_user.id:
        form.form_errors.append(_("You cannot deactivate yourself: ask another admin."))
        return _page(user, 400, confirm_form=form)
    if not user["active"]:
        return _done(user, _("%(name)s was already deactivated.", name=user["username"]))
    revoked = users.deactivate(get_db(), user_id, by=current_user.id)
    return _done(user, ngettext(
        "%(name)s is deactivated: their sessions have ended and %(num)d API token was revoked.",
        "%(name)s is deactivated: their sessions have ended and %(num)d API tokens were revoked.",
        revoked, name=user["username"]))


@bp.route("/<id:user_id>/reactivate", methods=["POST"])
@roles_required(*access.ADMINS)
def reactivate(user_id: int):
    """Let a deactivated user log in again."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate():
        return _page(user, 400, confirm_form=form)
    if user["active"]:
        return _done(user, _("%(name)s is already active.", name=user["username"]))
    users.reactivate(get_db(), user_id, by=current_user.id)
    return _done(user, _("%(name)s can log in again (revoked API tokens stay revoked).",
                         name=user["username"]))
