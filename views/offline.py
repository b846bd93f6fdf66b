"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("offline", __name__)
