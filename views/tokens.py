"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("tokens", __name__)
