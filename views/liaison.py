"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("liaison", __name__)


@bp.route("/liaison/queue")
def queue():
    return "queue"
