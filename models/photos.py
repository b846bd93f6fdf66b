"""Photos on entries: checked with Pillow, re-encoded, kept in the media folder, one row each.

What arrives is never stored as it came: ``prepare`` refuses anything but a
whole JPEG, PNG or WebP within the size and pixel limits (the pixel count is
read from the header, before anything is decoded, so a decompression bomb
costs nothing), turns it upright, and re-encodes it as JPEG. That drops the
EXIF block (with the phone's GPS position) and anything hidden after the
image (a ZIP appended to a JPEG). The stored file and its thumbnail are
named by their sha256 (models/media.py); the photos table records which
entry, which question, who, when, and the hash of the bytes received.

A photo's uuid is made by the phone: a resend of the same bytes under the
same uuid is recognised by ``upload_sha256`` (the hash of what was received,
which does not depend on the encoder) and stores nothing twice; the same
uuid with other bytes is refused (Conflict).
"""

import io
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from sqlite_utils import Database

from models import audit, media, writer_lock
from models import definitions as checklist_definitions
from models.clock import from_iso, to_iso, utc_now
from models.db import writing
from models.vocabulary import INCIDENT_FIELD_LABELS, MEETING_FIELD_LABELS

# What Pillow may decode: phones' cameras and galleries. Nothing else is even
# tried (no SVG); the JPEG reader also opens MPO, the JPEG some phones write
# with a second (depth) image, of which the first is kept.
FORMATS = ("JPEG", "PNG", "WEBP")
QUALITY = 85
THUMBNAIL_PX = 320
THUMBNAIL_QUALITY = 80
EXIF_IFD, DATETIME_ORIGINAL, OFFSET_ORIGINAL = 0x8769, 36867, 36881
# A capture time outside these bounds is a wrong camera clock: not recorded.
EARLIEST_CAPTURE = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Questions a photo of an incident or meeting report may be tied to: its fields.
FIELDS = {"incident": set(INCIDENT_FIELD_LABELS), "interaction": set(MEETING_FIELD_LABELS)}


class Refused(ValueError):
    """Not a photo this app keeps; ``reason`` is one of the REASONS codes."""

    REASONS = ("empty", "too_large", "not_image", "too_many_pixels", "damaged")

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Conflict(Exception):
    """This uuid was already used for a photo with other bytes (or on another entry)."""


@dataclass(frozen=True)
class Limits:
    """The configured limits (PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS)."""

    max_bytes: int
    max_pixels: int


@dataclass
class Prepared:
    """A photo checked and re-encoded, not yet stored."""

    upload_sha256: str
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    captured: str | None  # EXIF DateTimeOriginal, as the camera wrote it
    captured_offset: str | None


def _open(data: bytes, limits: Limits) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard (MAX_IMAGE_PIXELS) fired first: beyond ours anyway.
        raise Refused("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused("not_image") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > limits.max_pixels:
        raise Refused("too_many_pixels")
    return image


def _flat(image: Image.Image) -> Image.Image:
    """The picture in a mode JPEG keeps (RGB or grey); transparency becomes white,
    as on the page it was photographed from."""
    if image.mode in ("RGB", "L"):
        return image
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def prepare(data: bytes, limits: Limits) -> Prepared:
    """Check ``data`` and re-encode it; raises Refused. CPU only: no files, no database."""
    if not data:
        raise Refused("empty")
    if len(data) > limits.max_bytes:
        raise Refused("too_large")
    # WeasyPrint turns Pillow's process-wide LOAD_TRUNCATED_IMAGES on when it is
    # imported (for the first PDF), which would let a truncated upload through as
    # a grey-padded picture. Pillow's default, restored: our PDFs embed only the
    # whole JPEGs written here, so WeasyPrint loses nothing by it.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = _open(data, limits)
    try:
        exif = image.getexif()
        taken = exif.get_ifd(EXIF_IFD)
        captured, offset = taken.get(DATETIME_ORIGINAL), taken.get(OFFSET_ORIGINAL)
        image.load()  # decodes: a truncated or corrupt file fails here
        # In place: a copy of a 1600 px photo costs as much as encoding it.
        ImageOps.exif_transpose(image, in_place=True)
        upright = image
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise Refused("damaged") from None
    out = io.BytesIO()
    try:
        upright = _flat(upright)
        # No exif= argument: the stored JPEG carries no metadata at all.
        upright.save(out, "JPEG", quality=QUALITY)
    except (OSError, ValueError):  # a mode Pillow reads but cannot convert: not a photo
        raise Refused("not_image") from None
    scale = THUMBNAIL_PX / max(upright.size)
    # reducing_gap 1: a box reduction straight to about the size, then bicubic;
    # a quarter of the time of the default gap of 2, and no visible loss at 320 px.
    small = upright if scale >= 1 else upright.resize(
        (max(1, round(upright.width * scale)), max(1, round(upright.height * scale))),
        Image.Resampling.BICUBIC, reducing_gap=1.0)
    thumb = io.BytesIO()
    small.save(thumb, "JPEG", quality=THUMBNAIL_QUALITY)
    return Prepared(media.sha256(data), out.getvalue(), thumb.getvalue(), *upright.size,
                    captured if isinstance(captured, str) else None,
                    offset if isinstance(offset, str) else None)


def capture_utc(prepared: Prepared, given: str | None, zone: str, now: datetime | None = None
                ) -> str | None:
    """When the photo was taken, in UTC: the camera's EXIF time, else the time the phone gave.

    EXIF times are local and usually carry no offset: then they are read in
    the entry's own time zone (the station's). A time before 2000 or more
    than a day ahead is a wrong clock, and is not recorded.
    """
    now = now or utc_now()
    moment = None
    if prepared.captured:
        try:
            naive = datetime.strptime(prepared.captured.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            if prepared.captured_offset:
                offset = datetime.strptime(prepared.captured_offset.strip("\x00 "), "%z").tzinfo
                moment = naive.replace(tzinfo=offset)
            else:
                moment = naive.replace(tzinfo=ZoneInfo(zone))
        except ValueError:
            moment = None
    if moment is None and given:
        try:
            moment = from_iso(given)
        except ValueError:
            moment = None
    if moment is None or not EARLIEST_CAPTURE <= moment <= now + timedelta(days=1):
        return None
    return to_iso(moment.astimezone(timezone.utc))


def question_allowed(kind: str, entry: dict, question: str) -> bool:
    """A photo may be tied to a question of the entry's checklist, or a field of its report."""
    if kind == "checklist":
        definition = checklist_definitions.get(entry["form_type"], entry.get("form_version"))
        sections = {code for code, _label in entry.get("protocol_sections", ())}
        return question in sections or (
            definition is not None and question in definition.questions)
    return question in FIELDS.get(kind, set())


def _photo_row(db: Database, where: str, params: list) -> dict | None:
    cursor = db.conn.execute(
        "SELECT p.*, u.username AS uploaded_by_name FROM photos p"
        f" JOIN users u ON u.id = p.uploaded_by WHERE {where}", params)
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def get(db: Database, photo_id: int) -> dict | None:
    """One photo's row (with the uploader's name), or None."""
    return _photo_row(db, "p.id = ?", [photo_id])


def by_uuid(db: Database, uuid: str) -> dict | None:
    """The photo stored under this client-made uuid, or None."""
    return _photo_row(db, "p.uuid = ?", [uuid])


def for_entry(db: Database, kind: str, entry_id: int) -> list[dict]:
    """An entry's photos, in the order they arrived, with the uploaders' names."""
    return list(db.query(
        "SELECT p.*, u.username AS uploaded_by_name FROM photos p"
        " JOIN users u ON u.id = p.uploaded_by"
        " WHERE p.entry_kind = ? AND p.entry_id = ? ORDER BY p.id", [kind, entry_id]))


def _same(row: dict, kind: str, entry_id: int, upload_sha256: str) -> dict:
    if (row["entry_kind"], row["entry_id"], row["upload_sha256"]) != \
            (kind, entry_id, upload_sha256):
        raise Conflict(row["uuid"])
    return row


def add(db: Database, root: Path, kind: str, entry: dict, uuid: str, data: bytes,
        user_id: int, limits: Limits, question: str | None = None,
        captured_utc: str | None = None) -> tuple[dict, bool]:
    """Store a photo on an entry; returns (its row, True) or (the row kept before, False).

    Raises Refused (not a photo we keep) or Conflict (uuid used with other
    bytes). Decoding, writing and flushing the files happen before the write
    lock is taken, so uploads overlap; inside it only the row is written (and
    a file checked still there). A photo that is not stored takes away the
    files it placed unless another photo uses them: nothing is left half-stored.
    """
    upload_sha256 = media.sha256(data)
    kept = by_uuid(db, uuid)
    if kept is not None:
        return _same(kept, kind, entry["id"], upload_sha256), False
    prepared = prepare(data, limits)
    captured = capture_utc(prepared, captured_utc, entry.get("timezone") or "UTC")
    names = (media.sha256(prepared.jpeg), media.sha256(prepared.thumbnail))
    staged: list[Path] = []
    placed: list[str] = []
    try:
        staged = [media.stage(root, prepared.jpeg), media.stage(root, prepared.thumbnail)]
        placed = [name for path, name in zip(staged, names) if media.place(root, path, name)]
        with writing(db):
            kept = by_uuid(db, uuid)  # a racing resend may have won meanwhile
            if kept is None:
                for path, name in zip(staged, names):
                    media.place(root, path, name)  # back if a failed upload took it away
                photo_id = _insert(db, uuid, kind, entry["id"], question, names, upload_sha256,
                                   prepared, captured, user_id)
        if kept is not None:
            _forget(db, root, placed)
            return _same(kept, kind, entry["id"], upload_sha256), False
    except BaseException:
        _forget(db, root, placed)
        raise
    finally:
        media.discard(staged)
    return get(db, photo_id), True


def _insert(db: Database, uuid: str, kind: str, entry_id: int, question: str | None,
            names: tuple[str, str], upload_sha256: str, prepared: Prepared,
            captured: str | None, user_id: int) -> int:
    cursor = db.conn.execute(
        "INSERT INTO photos (uuid, entry_kind, entry_id, question, sha256, upload_sha256,"
        " thumbnail_sha256, size, width, height, captured_utc, uploaded_by, uploaded_utc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [uuid, kind, entry_id, question or None, names[0], upload_sha256, names[1],
         len(prepared.jpeg), prepared.width, prepared.height, captured, user_id,
         to_iso(utc_now())])
    audit.record(db, "photo", user_id, kind, entry_id,
                 {"photo_id": cursor.lastrowid, "sha256": names[0]})
    return cursor.lastrowid


def _forget(db: Database, root: Path, placed: list[str]) -> None:
    """Remove files this upload placed that no photo refers to.

    Under the writers' lock, like every row written: an upload of the same
    bytes either has its row already (the file stays) or will find the file
    gone when it writes its row, and place its own copy again.
    """
    if not placed:
        return
    with writer_lock.turn(*db.writer_queue):
        unused = [name for name in placed if db.execute(
            "SELECT 1 FROM photos WHERE sha256 = ? OR thumbnail_sha256 = ? LIMIT 1",
            [name, name]).fetchone() is None]
        media.remove(root, unused)


def all_hashes(db: Database | sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(photo id, which file, sha256) for every stored file a photo row refers to."""
    rows = db.execute("SELECT id, sha256, thumbnail_sha256 FROM photos ORDER BY id").fetchall()
    return [(pid, which, digest) for pid, photo, thumb in rows
            for which, digest in (("photo", photo), ("thumbnail", thumb))]


def verify(db: Database | sqlite3.Connection, root: Path) -> list[dict]:
    """Every photo file that is missing or no longer matches its hash (empty: all sound)."""
    return [{"photo_id": pid, "file": which, "sha256": digest, "problem": state}
            for pid, which, digest in all_hashes(db)
            if (state := media.check(root, digest)) != "ok"]


def manifest(db: Database, kinds: tuple[str, ...] = ("checklist", "incident", "interaction")
             ) -> list[dict]:
    """Every photo with its entry and uploader, oldest first (the export's manifest)."""
    marks = ", ".join("?" for _ in kinds)
    return list(db.query(
        "SELECT p.*, u.username AS uploaded_by_name FROM photos p"
        f" JOIN users u ON u.id = p.uploaded_by WHERE p.entry_kind IN ({marks})"
        " ORDER BY p.id", list(kinds)))
