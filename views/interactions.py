"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("interactions", __name__)


@bp.route("/interactions")
def log():
    return "interactions"
