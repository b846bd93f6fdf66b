"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
def index():
    return "dashboard"
