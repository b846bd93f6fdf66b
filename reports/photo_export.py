"""Every photo in one ZIP with a manifest CSV: for the mission's archive and complaint files.

The ZIP holds ``manifest.csv`` (entry, kind, question, sha256, capture time,
uploaded by, uploaded at, file) and each stored photo under
``photos/<entry number>/<sha256>.jpg``: the name is the hash the manifest
and the app's records give, so anyone can check a file against them.
"""

import csv
import io
import zipfile
from pathlib import Path
from typing import BinaryIO

from sqlite_utils import Database

from models import media, photos
from models.vocabulary import KIND_LABELS
from reports.entry_text import number

COLUMNS = ("entry", "kind", "question", "sha256", "captured_utc", "uploaded_by",
           "uploaded_utc", "file")


def _file_name(row: dict) -> str:
    return f"photos/{number(row['entry_kind'], row['entry_id'])}/{row['sha256']}.jpg"


def manifest_rows(db: Database) -> list[dict]:
    """The manifest: one row per photo, oldest first, as the CSV writes it."""
    return [{"entry": number(row["entry_kind"], row["entry_id"]),
             "kind": str(KIND_LABELS[row["entry_kind"]]), "question": row["question"] or "",
             "sha256": row["sha256"], "captured_utc": row["captured_utc"] or "",
             "uploaded_by": row["uploaded_by_name"], "uploaded_utc": row["uploaded_utc"],
             "file": _file_name(row)}
            for row in photos.manifest(db)]


def write_zip(db: Database, root: Path, target: BinaryIO) -> dict[str, int]:
    """Write the ZIP to ``target``; returns counts of photos written and files missing.

    A photo whose file is missing or altered is listed in the manifest with
    an empty ``file`` (flask verify-media says which), never silently dropped.
    """
    rows = manifest_rows(db)
    written = missing = 0
    # JPEGs do not compress: stored as they are.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        done: set[str] = set()
        for row in rows:
            if row["file"] in done:
                written += 1
                continue
            if media.check(root, row["sha256"]) != "ok":
                row["file"] = ""
                missing += 1
                continue
            archive.write(media.path_of(root, row["sha256"]), row["file"])
            done.add(row["file"])
            written += 1
        text = io.StringIO()
        writer = csv.DictWriter(text, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        # With a BOM: Excel then reads the Cyrillic names as UTF-8.
        archive.writestr("manifest.csv", "\ufeff" + text.getvalue())
    return {"photos": written, "missing": missing}
