"""Admins issue and revoke per-user API tokens (/admin/tokens).

A token is shown once and never again: only its hash is stored. Issuing is
post/redirect/get, so reloading the page cannot issue a second token: the
POST keeps the new token in the session until the next GET of /admin/tokens
shows it (marked no-store) and drops it. The session cookie is signed, not
encrypted, so the token travels in it masked with a one-time key derived
from SECRET_KEY: a copy of the cookie alone does not give the token away.
"""

import base64
import hashlib
import hmac
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from models import access, api_tokens, users
from models.db import get_db
from views.auth import roles_required

bp = Blueprint("tokens", __name__)


class IssueForm(FlaskForm):
    """Whom the token is for and a label to recognise it by."""

    username = StringField(_l("User name"), validators=[
        DataRequired(_l("Enter the user name the token is for.")), Length(max=80)])
    label = StringField(_l("Label (optional)"), description=_l(
        "What the token is for, e.g. the load test, or phone 12."), validators=[
        Length(max=api_tokens.MAX_LABEL, message=_l("At most %(max)d characters."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user: dict | None = None

    def validate_username(self, field) -> None:
        """The user must exist and be active."""
        self.user = users.find_by_username(get_db(), field.data.strip())
        if self.user is None or not self.user["active"]:
            raise ValidationError(_("There is no active user named %(name)s.", name=field.data))


def _mask(token: bytes, nonce: bytes) -> bytes:
    """XOR with an HMAC-SHA512 key stream (64 bytes: a token is 43); masks and unmasks."""
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, b"issued-api-token:" + nonce, hashlib.sha512).digest()
    return bytes(a ^ b for a, b in zip(token, key))


def _keep_for_one_view(token_id: int, token: str, username: str) -> None:
    nonce = secrets.token_bytes(16)
    session["issued_token"] = {
        "id": token_id, "username": username, "nonce": base64.b64encode(nonce).decode(),
        "masked": base64.b64encode(_mask(token.encode(), nonce)).decode()}


def _take_issued() -> dict | None:
    """The token issued by the last POST, once: it leaves the session as it is read."""
    kept = session.pop("issued_token", None)
    if not isinstance(kept, dict):
        return None
    try:
        nonce, masked = base64.b64decode(kept["nonce"]), base64.b64decode(kept["masked"])
        token = _mask(masked, nonce).decode()
    except (KeyError, TypeError, ValueError):
        return None
    return {"id": kept["id"], "token": token, "username": kept["username"]}


def _page(form: IssueForm, issued: dict | None = None, status: int = 200):
    response = render_template("tokens/index.html", form=form, issued=issued,
                               tokens=api_tokens.listing(get_db()))
    headers = {"Cache-Control": "no-store"} if issued else {}
    return response, status, headers


@bp.route("/admin/tokens")
@roles_required(*access.ADMINS)
def index():
    """Every token and the form to issue one; a token just issued is shown this once."""
    return _page(IssueForm(formdata=None), issued=_take_issued())


@bp.route("/admin/tokens", methods=["POST"])
@roles_required(*access.ADMINS)
def issue():
    """Issue a token, then redirect to the page that shows it once."""
    form = IssueForm()
    if not form.validate():
        return _page(form, status=400)
    token_id, token = api_tokens.issue(get_db(), form.user["id"], form.label.data or "",
                                       issued_by=current_user.id)
    _keep_for_one_view(token_id, token, form.user["username"])
    return redirect(url_for("tokens.index", _anchor="issued"), code=303)


@bp.route("/admin/tokens/<id:token_id>/revoke", methods=["POST"])
@roles_required(*access.ADMINS)
def revoke(token_id: int):
    """Revoke a token at once."""
    db = get_db()
    token = api_tokens.get(db, token_id)
    if token is None:
        abort(404)
    if api_tokens.revoke(db, token_id, revoked_by=current_user.id):
        flash(_("Token %(id)s of %(name)s revoked: it no longer opens the API.",
                id=token_id, name=token["username"]))
    else:
        flash(_("Token %(id)s was already revoked.", id=token_id))
    return redirect(url_for("tokens.index"), code=303)
