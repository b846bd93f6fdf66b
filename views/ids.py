"""Row ids in URLs and hidden fields: digits only, and small enough for SQLite.

A 30-digit id would make sqlite3 raise OverflowError (a 500); "²" passes
str.isdigit() but not int(). Both are tampering, so they simply match nothing.
"""

import re

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_id(raw: str | None) -> int | None:
    """The id written in ``raw``, or None when it is not a plausible row id."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    return int(raw)


class RowIdConverter(IntegerConverter):
    """``<id:entry_id>``: like ``int`` but never beyond SQLite's INTEGER range."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
