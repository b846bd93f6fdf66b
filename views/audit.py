"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("audit", __name__)


@bp.route("/audit")
def log():
    return "audit"
