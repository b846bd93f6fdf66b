"""The app with one bench-only API route: the baseline of bench/photos.py.

``POST /api/v1/bench/photo-write`` receives the same multipart upload as
``POST /api/v1/checklists/<id>/photos``, through the same Flask stack (the
api blueprint: bearer token, JSON errors, the app's hooks), and only writes
the bytes to disk as the photo store does (a staged file, flushed, renamed
into place, its folder flushed): no Pillow, no thumbnail, no database row.
The route exists only in a process that imported this module, never in the
app that `make run` serves.

Run it as gunicorn does for the bench: ``FLASK_DATABASE=... gunicorn
'bench.photo_baseline:create_app()'`` from the project root.
"""

import os

from flask import Flask, current_app, jsonify, request

import app as application
from models import access, media
from views.api import bp
from views.api_openapi import operation
from views.auth import roles_required


@operation("Bench only: write an uploaded photo to disk, nothing else", (201, {"type": "object"}))
@roles_required(*access.EVERYONE)
def photo_write():
    """Store the upload's bytes under the uuid, durably, like models.media does."""
    data = request.files["file"].read()
    root = media.root_for(current_app.config["DATABASE"], current_app.config.get("MEDIA_DIR"))
    staged = media.stage(root, data)
    folder = root / "baseline"
    folder.mkdir(exist_ok=True)
    os.replace(staged, folder / f"{request.form['uuid']}.jpg")
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return jsonify({"size": len(data)}), 201


# Added before create_app registers the blueprint, in this process only.
bp.add_url_rule("/bench/photo-write", "bench_photo_write", photo_write, methods=["POST"])


def create_app() -> Flask:
    """The app, with the bench-only route."""
    return application.create_app()
