"""Render report HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

Observers' free text ends up in reports: autoescaping keeps it text, and the
fetcher below refuses every URL outside ``static/`` (no file://, no network),
so a description cannot pull a file or a tracking URL into the PDF.
"""

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

STATIC = (Path(__file__).parent.parent / "static").resolve()
PHOTO_DATA = "data:image/jpeg;base64,"


class BlockedResource(ValueError):
    """A report tried to load something outside the app's static files."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``file:`` URLs inside ``static/``; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith(PHOTO_DATA):
                # An entry's photos, embedded by reports/entry.py: self-contained bytes.
                return URLFetcherResponse(url, body=base64.b64decode(url[len(PHOTO_DATA):]),
                                          headers={"Content-Type": "image/jpeg"})
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise BlockedResource(f"not fetched while rendering: {url[:80]}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(STATIC) or not path.is_file():
                raise BlockedResource(f"not fetched while rendering: {url[:80]}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(),
                                      headers={"Content-Type": kind})

    return StaticOnlyFetcher


def render_pdf(html: str) -> bytes:
    """The PDF of a complete HTML document whose relative URLs point into static/."""
    # Imported here: WeasyPrint loads Pango and fonts, which the web pages never need.
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC.as_uri() + "/",
                    url_fetcher=_fetcher_class()())
    return document.write_pdf()
