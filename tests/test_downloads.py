"""Every download's headers come from views/downloads.py: type, attachment name, no-store."""

import ast
from pathlib import Path

from views import downloads

VIEWS = Path(__file__).resolve().parent.parent / "views"


def test_a_pdf_is_a_named_attachment_never_cached(app):
    with app.test_request_context():
        response = downloads.pdf(b"%PDF-1.7", "C12.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="C12.pdf"'
    assert response.headers["Cache-Control"] == "no-store"


def test_a_cyrillic_name_survives_with_an_ascii_fallback():
    value = downloads.disposition("region-Ақтөбе-20230319-1000.pdf")
    assert value.startswith('attachment; filename="region-')
    assert "filename*=UTF-8''region-%D0%90%D2%9B%D1%82%D3%A9%D0%B1%D0%B5-20230319-1000.pdf" in value
    assert downloads.disposition('a"b.pdf') == 'attachment; filename="a\\"b.pdf"'


def test_no_view_builds_a_download_by_hand():
    found = [f"{path.name}:{node.lineno}" for path in sorted(VIEWS.glob("*.py"))
             if path.name != "downloads.py"
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and node.value == "Content-Disposition"
             or isinstance(node, ast.Name) and node.id == "send_file"]
    assert not found, found
