"""Writers take turns on a kernel file lock before SQLite's own write lock.

SQLite lets one writer in at a time. The others wait in its busy handler,
which sleeps 1, 2, 5, 10, 15, 20, 25... ms between attempts: once a few
submissions queue up they sleep far longer than a write lasts (about a
millisecond), the lock stands free while they sleep, and the queue's tail
grows (bench/submit.py: p99 281 ms at 64 clients, a fifth of the CPU idle;
191 ms with this lock).

So a write transaction first takes an exclusive ``flock`` on a file next to
the database (``<database>-writelock``), which the next waiter gets as soon
as the holder lets go, in every process (gunicorn workers, CLI commands).
The file is opened for each transaction (a few microseconds): two opens are
two locks to flock, so threads of one process queue like processes do, a
forked child never shares its parent's lock, and nothing stays open between
requests. The kernel drops the lock when its holder dies, so a killed worker
never leaves it held.

The wait is bounded by the busy timeout, like SQLite's. When the lock file
cannot be made (read-only folder, full disk) writers go straight to SQLite;
a writer that does not take this lock (the ``sqlite3`` shell, Litestream) is
still waited for by SQLite's busy handler.
"""

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager


class WriterBusy(sqlite3.OperationalError):
    """Another writer held the database longer than the busy timeout.

    An OperationalError with SQLite's own code for it, so it is answered like
    SQLite's "database is locked" (views/storage_errors.py: a 503).
    """

    def __init__(self, database: str):
        super().__init__(f"database is locked: waited too long for the other writers ({database})")
        self.sqlite_errorcode = sqlite3.SQLITE_BUSY
        self.sqlite_errorname = "SQLITE_BUSY"


def _flock(fd: int, deadline: float) -> bool:
    """Take the lock on ``fd`` before ``deadline`` (a time.monotonic() value)."""
    pause = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.001)


@contextmanager
def turn(database: str, timeout: float) -> Iterator[None]:
    """Hold the writers' lock of ``database`` for the duration of the block."""
    try:
        fd = os.open(f"{database}-writelock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:  # read-only folder or full disk: SQLite's busy timeout alone
        yield
        return
    try:
        if not _flock(fd, time.monotonic() + timeout):
            raise WriterBusy(database)
        yield  # closing the file below releases the lock
    finally:
        os.close(fd)
