"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("exports", __name__)
