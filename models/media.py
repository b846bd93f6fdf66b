"""The media folder: files stored by the sha256 of their bytes, never as BLOBs in SQLite.

A file's name is its hash (``ab/cd/abcd....jpg``), so the same bytes are kept
once however often they arrive, and ``check`` can tell a missing or altered
file from the database's record of it. Files are written under
``.incoming/`` first and flushed to disk, then linked to their hash's name:
a crash or a full disk never leaves a half-written file under that name.
"""

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

INCOMING = ".incoming"
SUFFIX = ".jpg"
# Folders this process made or found: mkdir(exist_ok) on every upload cost
# more than encoding the thumbnail (bench/photos.py).
_folders: set[Path] = set()


def _folder(path: Path) -> Path:
    if path not in _folders:
        path.mkdir(parents=True, exist_ok=True)
        _folders.add(path)
    return path


def root_for(database: str, configured: str | None = None) -> Path:
    """The media folder: MEDIA_DIR when set, else ``media/`` beside the database file."""
    return Path(configured) if configured else Path(database).absolute().parent / "media"


def sha256(data: bytes) -> str:
    """The hex sha256 of ``data``: a stored file's name."""
    return hashlib.sha256(data).hexdigest()


def path_of(root: Path, digest: str) -> Path:
    """Where the file with this hash lives: two levels of folders keep each one small."""
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a sha256: {digest[:70]!r}")
    return root / digest[:2] / digest[2:4] / f"{digest}{SUFFIX}"


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries: a rename into it is durable only once they are on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage(root: Path, data: bytes) -> Path:
    """Write ``data`` to a new file in ``.incoming/``, flushed to disk; returns its path.

    Staging happens outside any database transaction (it is the slow part);
    ``place`` then gives it its name.
    """
    path = _folder(root / INCOMING) / f"{secrets.token_hex(8)}.part"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except FileNotFoundError:  # the folder was removed since: make it again
        _folders.discard(root / INCOMING)
        path = _folder(root / INCOMING) / path.name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def place(root: Path, staged: Path, digest: str) -> bool:
    """Give a staged file its hash's name too (a hard link); True when the name is new.

    The staged name stays until ``discard``: if the named file goes away
    before the photo's row is written (an upload of the same bytes failed and
    removed it), placing again restores it. A file already under the name has
    the same bytes (the name is their hash) and is left as it is.
    """
    target = path_of(root, digest)
    if target.exists():
        return False
    try:
        os.link(staged, _folder(target.parent) / target.name)
    except FileExistsError:
        return False
    except FileNotFoundError:  # the folder was removed since: make it again
        _folders.discard(target.parent)
        os.link(staged, _folder(target.parent) / target.name)
    # The new name is durable only once the folder's entry is on disk.
    fsync_dir(target.parent)
    return True


def remove(root: Path, digests: Iterable[str]) -> None:
    """Delete these files (placed for a photo that was then not stored, and used by no other)."""
    for digest in digests:
        path_of(root, digest).unlink(missing_ok=True)


def discard(paths: Iterable[Path]) -> None:
    """Delete staged names (a placed file keeps its hash's name)."""
    for path in paths:
        path.unlink(missing_ok=True)


def read(root: Path, digest: str) -> bytes:
    """The bytes of a stored file (FileNotFoundError when it is missing)."""
    return path_of(root, digest).read_bytes()


def check(root: Path, digest: str) -> str:
    """'ok', 'missing' or 'altered' (its bytes no longer hash to its name)."""
    path = path_of(root, digest)
    try:
        hasher = hashlib.sha256()
        with open(path, "rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                hasher.update(block)
    except FileNotFoundError:
        return "missing"
    return "ok" if hasher.hexdigest() == digest else "altered"


def copy(source_root: Path, target_root: Path, digest: str) -> str:
    """Copy one file between media folders unless the target has it: 'copied', 'kept' or a
    problem of the source ('missing', 'altered'), in which case nothing is copied."""
    state = check(source_root, digest)
    if state != "ok":
        return state
    if check(target_root, digest) == "ok":
        return "kept"
    staged = target_root / INCOMING / f"{secrets.token_hex(8)}.part"
    staged.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(path_of(source_root, digest), staged)
        with open(staged, "rb") as flushed:
            os.fsync(flushed.fileno())
        target = path_of(target_root, digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        fsync_dir(target.parent)
    finally:
        staged.unlink(missing_ok=True)
    return "copied"


def listing(root: Path) -> list[str]:
    """Every file under ``root`` (relative paths, sorted): what tests compare."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
