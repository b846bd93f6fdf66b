"""Every file the app hands out (PDFs, exports, the database copy) leaves through here.

One set of headers for all of them: the file's type, an attachment with its
name, and ``no-store``. The files hold observers' reports: a shared computer's
cache or a proxy must not keep them, and a half-built export must never be
served from a cache.
"""

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response
from werkzeug.http import quote_header_value

PDF = "application/pdf"


def disposition(name: str) -> str:
    """``attachment`` with the file name, quoted; a non-ASCII name (a Cyrillic region)
    also as RFC 6266's ``filename*``, with an ASCII fallback for old browsers."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        encoded = quote(name, safe="!#$&+-.^_`|~")  # RFC 5987 attr-char
        return (f"attachment; filename={quote_header_value(simple, allow_token=False)};"
                f" filename*=UTF-8''{encoded}")
    return f"attachment; filename={quote_header_value(name, allow_token=False)}"


def attachment(body: bytes | Iterable[bytes], mimetype: str, name: str) -> Response:
    """A download of ``body`` (bytes, or chunks to stream) named ``name``, never cached."""
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": disposition(name), "Cache-Control": "no-store"})


def pdf(body: bytes, name: str) -> Response:
    """A PDF download named ``name``, never cached."""
    return attachment(body, PDF, name)
