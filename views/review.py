"""Coordinators and the CEC liaison: the entries as they arrive (the review issue fills this in)."""

from flask import Blueprint, render_template, request

from models import checklists
from models.db import get_db
from views.auth import roles_required

bp = Blueprint("review", __name__)
REVIEWERS = ("coordinator", "liaison", "admin")
PAGE = 100


@bp.route("/review")
@roles_required(*REVIEWERS)
def entries():
    page = max(request.args.get("page", 1, type=int), 1)
    rows = checklists.latest(get_db(), limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("review/entries.html", entries=rows, page=page,
                           has_next=len(rows) == PAGE)
