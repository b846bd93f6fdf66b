"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("incidents", __name__)


@bp.route("/incidents")
def listing():
    return "incidents"


@bp.route("/incidents/new")
def new():
    return "new incident"
