"""Photos in the browser, the PDF, the export, verify-media, and backup and restore."""

import csv
import io
import re
import uuid as uuids
import zipfile
from pathlib import Path

import pypdf
import pytest

from app import create_app
from models import media
from tests import photo_samples as samples
from tests.conftest import Browser
from tests.test_api import Api, token_for
from tests.test_liaison import file_checklist
from tests.test_photos import media_root, multipart, post_photo

CACHE = "private, max-age=31536000, immutable"


@pytest.fixture
def checklist(app, db):
    return file_checklist(app, db, "202", "obs1")


@pytest.fixture
def photo(app, db, checklist) -> dict:
    """A photo on the T01 checklist, sent by obs1 through the API."""
    sent = post_photo(Api(app.test_client(), token_for(db, "obs1")),
                      f"/api/v1/checklists/{checklist}/photos", samples.jpeg(1200, 900),
                      question="campaign_material")
    assert sent.status_code == 201
    return sent.json


def logged_in(app, name: str) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(name).status_code == 302
    return browser


def upload_form(browser: Browser, page: str) -> dict:
    """The photo form's action and hidden fields, read from the entry page."""
    html = browser.client.get(page).text
    form = html.split('class="photo-form"', 1)[1].split("</form>", 1)[0]
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*class="photo-form"', html)
    return {"action": action.group(1),
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                    form).group(1),
            "uuid": re.search(r'name="uuid" type="hidden" value="([^"]+)"', form).group(1)}


def test_the_entry_page_shows_thumbnails_and_the_authors_get_the_form(app, checklist, photo):
    observer = logged_in(app, "obs1").client.get(f"/checklists/{checklist}").text
    assert photo["thumbnail_url"] in observer and 'class="photo-form"' in observer
    assert 'enctype="multipart/form-data"' in observer
    coordinator = logged_in(app, "coord").client.get(f"/checklists/{checklist}").text
    assert photo["thumbnail_url"] in coordinator and 'class="photo-form"' not in coordinator


@pytest.mark.parametrize("which", ["url", "thumbnail_url"])
def test_photo_files_are_cached_long_and_only_for_readers(app, db, db_path, photo, which):
    own = logged_in(app, "obs2").client.get(photo[which])
    assert own.status_code == 200 and own.mimetype == "image/jpeg"
    assert own.headers["Cache-Control"] == CACHE
    digest = photo["sha256"] if which == "url" else None
    if digest:
        assert own.data == media.read(media_root(db_path), digest)
    assert logged_in(app, "obs3").client.get(photo[which]).status_code == 404
    assert logged_in(app, "coord").client.get(photo[which]).status_code == 200
    assert app.test_client().get(photo[which]).status_code == 302  # to the login page


def test_the_plain_form_adds_a_photo_once(app, db, db_path, checklist):
    browser = logged_in(app, "obs1")
    form = upload_form(browser, f"/checklists/{checklist}")
    body, kind = multipart({"csrf_token": form["csrf_token"], "uuid": form["uuid"],
                            "question": "campaign_material"}, samples.jpeg())
    sent = browser.client.post(form["action"], data=body, headers={"Content-Type": kind})
    assert sent.status_code == 303 and sent.location.endswith(f"/checklists/{checklist}#photos")
    # The same form sent again (a double tap): still one photo.
    again = browser.client.post(form["action"], data=body, headers={"Content-Type": kind})
    assert again.status_code == 303
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 1
    page = browser.client.get(f"/checklists/{checklist}").text
    assert "This photo was already added." in page


HTML_BAD = [
    ("not an image", lambda: b"GIF89a not really", 422),
    ("truncated jpeg", samples.truncated, 422),
    ("30000 x 30000 png", samples.huge_png, 422),
    ("svg with script", samples.svg_with_script, 422),
    ("no file chosen", lambda: b"", 400),
    ("50 MB file", lambda: b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024), 413),
]


@pytest.mark.parametrize("name, make, status", HTML_BAD, ids=[b[0] for b in HTML_BAD])
def test_the_form_shows_a_refusal_next_to_the_field(app, db, db_path, checklist,
                                                    name, make, status):
    browser = logged_in(app, "obs1")
    form = upload_form(browser, f"/checklists/{checklist}")
    body, kind = multipart({"csrf_token": form["csrf_token"], "uuid": form["uuid"]}, make(),
                           "" if name == "no file chosen" else "x.jpg")
    response = browser.client.post(form["action"], data=body, headers={"Content-Type": kind})
    assert response.status_code == status
    field = response.text.split('id="q-photo-file"', 1)[1].split("</div>", 1)[0]
    assert 'id="photo-file-error"' in field and 'aria-invalid="true"' in field
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    assert media.listing(media_root(db_path)) == []


@pytest.mark.parametrize("size", ["small", "50 MB"])
def test_the_form_refuses_another_teams_entry_reviewers_and_strangers(app, db, db_path,
                                                                      checklist, size):
    form = upload_form(logged_in(app, "obs1"), f"/checklists/{checklist}")
    data = samples.jpeg() if size == "small" else b"\0" * (50 * 1024 * 1024)
    for name, status in (("obs3", 404), ("coord", 403), (None, 302 if size == "small" else 413)):
        browser = logged_in(app, name) if name else Browser(app.test_client())
        token = Browser.hidden(browser.client.get("/login").text, "csrf_token")
        body, kind = multipart({"csrf_token": token, "uuid": str(uuids.uuid4())}, data)
        response = browser.client.post(form["action"], data=body,
                                       headers={"Content-Type": kind})
        assert response.status_code == status, name
    assert media.listing(media_root(db_path)) == []


def test_the_entry_pdf_carries_its_photos(app, db, checklist, photo):
    pdf = logged_in(app, "obs1").client.get(f"/checklists/{checklist}.pdf")
    assert pdf.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    images = {image.name for page in reader.pages for image in page.images}
    assert len(images) == 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert photo["sha256"] in "".join(text.split())


def test_coordinators_download_every_photo_with_a_manifest(app, db, checklist, photo):
    assert logged_in(app, "obs1").client.get("/exports/photos.zip").status_code == 403
    response = logged_in(app, "coord").client.get("/exports/photos.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [(m["entry"], m["question"], m["sha256"], m["uploaded_by"]) for m in manifest] == \
        [(f"C{checklist}", "campaign_material", photo["sha256"], "obs1")]
    assert media.sha256(archive.read(manifest[0]["file"])) == photo["sha256"]


def test_export_photos_and_verify_media_on_the_command_line(app, db, db_path, tmp_path, photo):
    runner = app.test_cli_runner()
    out = tmp_path / "photos.zip"
    result = runner.invoke(args=["export", "photos", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "manifest.csv" in zipfile.ZipFile(out).namelist()

    verified = runner.invoke(args=["verify-media"])
    assert verified.exit_code == 0 and "All 2 photo files" in verified.output
    root = media_root(db_path)
    media.path_of(root, photo["sha256"]).write_bytes(b"altered")
    thumbnail = next(p for p in root.rglob("*.jpg") if photo["sha256"] not in p.name)
    thumbnail.unlink()
    broken = runner.invoke(args=["verify-media"])
    assert broken.exit_code == 1
    assert f"{photo['sha256']}: altered" in broken.output and ": missing" in broken.output


def test_backup_and_restore_carry_the_photo_files(app, db, db_path, tmp_path, photo):
    out = tmp_path / "backups" / "b.sqlite"
    out.parent.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    copied = media.listing(Path(f"{out}.media"))
    assert copied == media.listing(media_root(db_path)) and len(copied) == 2

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    target = create_app({"DATABASE": str(fresh / "observation.sqlite"),
                         "SECRET_KEY": "test-secret", "TESTING": True})
    restored = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert restored.exit_code == 0, restored.output
    assert media.listing(fresh / "media") == copied
    assert target.test_cli_runner().invoke(args=["verify-media"]).exit_code == 0
