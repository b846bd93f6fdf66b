"""Online backup and restore of the SQLite file with SQLite's backup API.

A backup is taken in one step of ``sqlite3.Connection.backup`` (pages=-1):
one read transaction, so the copy is the database as it was at one instant,
while the app keeps writing (in WAL mode writers are not blocked by readers).
Copying the file with ``cp`` instead can catch a page half written, or miss
what is still in the -wal file.

Photos live in the media folder, not in the database: ``copy_media`` copies
the files a database refers to, checked against their sha256, into
``<backup file>.media/`` after a backup, and from there back into the media
folder after a restore. Files are named by their hash, so a file already
there is never copied twice.
"""

import os
import sqlite3
import time
from pathlib import Path

from models import media, photos
from models.migrations import NAMES, migrate, migrations

# The tables whose counts the commands print: what a mission would check first.
MAIN_TABLES = ("users", "stations", "checklists", "incidents", "interactions", "comments",
               "audit_log")
MIGRATIONS_TABLE = "_sqlite_migrations"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why, for a person."""


class NotEmpty(BackupError):
    """The restore target already holds users or checklists."""


def _read_only(path: str) -> sqlite3.Connection:
    # mode=ro: checking or restoring from a backup must never change it.
    return sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def counts(conn: sqlite3.Connection, tables: tuple[str, ...] = MAIN_TABLES) -> dict[str, int]:
    """Rows in each of ``tables`` that exists (names come from the constant, never input)."""
    present = _tables(conn)
    return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in tables if name in present}


def all_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table: what a restore is compared with."""
    names = tuple(sorted(_tables(conn) - {"sqlite_sequence"}))
    return counts(conn, names)


def is_empty(conn: sqlite3.Connection) -> bool:
    """True when the database holds no users and no checklists (a fresh, migrated file)."""
    found = counts(conn, ("users", "checklists"))
    return not any(found.values())


def _integrity(conn: sqlite3.Connection) -> str:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_file(a: str, b: str) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def _remove_leftovers(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def backup(source: sqlite3.Connection, database: str, out: str) -> dict[str, int]:
    """Copy the live database ``source`` (opened on the file ``database``) to ``out``.

    Written to ``out``.tmp, checked with integrity_check, fsynced, then renamed
    over ``out``: a crash or full disk never leaves a half-written file named
    like a backup. The copy uses the rollback journal (not WAL), so it is one
    self-contained file that opens even on read-only media. Returns the counts
    of the main tables in the copy.
    """
    if _same_file(out, database):
        raise BackupError(f"{out} is the live database itself; choose another file.")
    target = Path(out)
    if not target.parent.is_dir():
        raise BackupError(f"Folder {target.parent} does not exist.")
    tmp = out + ".tmp"
    _remove_leftovers(tmp)
    try:
        dest = sqlite3.connect(tmp)
        try:
            # One step: the whole copy inside one read transaction on the source.
            # Stepping in chunks would restart whenever the app writes meanwhile.
            source.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode = DELETE")
            problems = _integrity(dest)
            if problems != "ok":
                raise BackupError(f"The copy failed its integrity check: {problems}")
            found = counts(dest)
        finally:
            dest.close()
        _fsync_file(tmp)
        os.replace(tmp, out)
        media.fsync_dir(target.parent.absolute())
    except sqlite3.OperationalError as error:
        raise BackupError(f"Could not write {out}: {error}.") from error
    finally:
        _remove_leftovers(tmp)
    return found


def check_backup(path: str) -> dict[str, int]:
    """Make sure ``path`` is a sound database of this app; return its counts of every table.

    Refuses a file that is not SQLite, fails integrity_check, was not made by
    this app (no observation migrations) or by a newer version of it
    (migrations this code does not know).
    """
    try:
        conn = _read_only(path)
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened: {error}.") from error
    try:
        problems = _integrity(conn)
        if problems != "ok":
            raise BackupError(f"{path} is damaged (integrity check: {problems}).")
        if MIGRATIONS_TABLE not in _tables(conn):
            raise BackupError(f"{path} is an SQLite file but not a database of this app "
                              f"(it has no {MIGRATIONS_TABLE} table).")
        applied = {r[0] for r in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [migrations.name])}
        if not applied:
            raise BackupError(f"{path} is not a database of this app (no '{migrations.name}' "
                              "migrations were ever applied to it).")
        known = set(NAMES)
        if applied - known:
            raise BackupError(f"{path} was made by a newer version of the app (migrations "
                              f"{', '.join(sorted(applied - known))}); update the app first.")
        return all_counts(conn)
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_CORRUPT:
            raise BackupError(f"{path} is damaged ({error}).") from error
        raise BackupError(f"{path} is not a usable SQLite database: {error}.") from error
    finally:
        conn.close()


def restore(path: str, database: str, force: bool = False,
            busy_timeout_ms: int = 10000) -> tuple[dict[str, int], str | None]:
    """Replace the contents of ``database`` with the backup at ``path``.

    Run it with the app stopped: entries saved between the backup and the
    restore are otherwise overwritten. Refuses (NotEmpty) when ``database``
    already holds users or checklists, unless ``force``; then it first copies
    the current contents next to it, so a wrong restore can be undone.
    Returns (counts of every table after the restore, path of that copy or None).
    """
    if _same_file(path, database):
        raise BackupError(f"{path} is the configured database itself.")
    expected = check_backup(path)
    target = sqlite3.connect(database, timeout=busy_timeout_ms / 1000)
    try:
        saved = None
        if not is_empty(target):
            if not force:
                found = counts(target, ("users", "checklists"))
                raise NotEmpty(
                    f"{database} is not empty ({found.get('users', 0)} users, "
                    f"{found.get('checklists', 0)} checklists). Add --force to replace it; "
                    "a copy of it is kept first.")
            saved = f"{database}.before-restore-{time.strftime('%Y%m%dT%H%M%S')}"
            backup(target, database, saved)
        source = _read_only(path)
        try:
            # The backup API copies page by page under the target's write lock:
            # other connections see either the old or the whole new database.
            source.backup(target, pages=-1)
        finally:
            source.close()
        problems = _integrity(target)
        if problems != "ok":
            raise BackupError(f"The restored database failed its integrity check: {problems}")
        restored = all_counts(target)
    finally:
        target.close()
    if restored != expected:
        raise BackupError(f"The restored counts {restored} differ from the backup's {expected}.")
    _migrate(database, busy_timeout_ms)
    return restored, saved


def _migrate(database: str, busy_timeout_ms: int) -> None:
    # A backup from an older version gets the newer schema now rather than at
    # the next start, so the restored file is at once what this code expects.
    from models.db import connect

    db = connect(database, busy_timeout_ms)
    try:
        migrate(db)
    finally:
        db.close()


def media_folder(backup_file: str) -> Path:
    """Where the photos of a backup file are kept: ``<backup file>.media/`` beside it."""
    return Path(backup_file + ".media")


def copy_media(database: str, source: Path, target: Path) -> dict[str, int]:
    """Copy every photo file the database ``database`` refers to from ``source`` to ``target``.

    Returns how many were copied, already there, and missing or altered in
    ``source`` (those are not copied: flask verify-media names them).
    """
    conn = _read_only(database)
    try:
        if "photos" not in _tables(conn):
            return {"copied": 0, "kept": 0, "missing": 0}
        digests = sorted({digest for _pid, _which, digest in photos.all_hashes(conn)})
    finally:
        conn.close()
    found = {"copied": 0, "kept": 0, "missing": 0}
    for digest in digests:
        state = media.copy(source, target, digest)
        found["missing" if state in ("missing", "altered") else state] += 1
    return found
