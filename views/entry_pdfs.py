"""Placeholder blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("entry_pdfs", __name__)
