"""A photo on the ordinary form, filed offline, in a real (headless) Chromium at 390×844.

Issue: "Same [fill a voting checklist, go offline, Send, reload offline, go
online] with a photo attached: exactly one photo file, its hash matching." The
phone shrinks the photo (longest side ~1,600 px, JPEG), keeps it in the outbox
with the entry, and uploads it with its own uuid to
POST /api/v1/checklists/{id}/photos once the entry exists.

Needs the photos API (its own branch): skipped until the app has it.
"""

import hashlib
import json
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests import test_offline_browser as phone
from tests.test_offline_browser import SLOW, checklists_in, fill_answers, fill_visit_and_figures
from tests.test_offline_forms_browser import SAVED, log_in_and_keep, open_voting_form

pytestmark = phone.pytestmark
offline_db_path = phone.offline_db_path
offline_app = phone.offline_app
offline_server = phone.offline_server
offline_context = phone.offline_context
offline_page = phone.offline_page


def has_photos_api(app) -> bool:
    return any(rule.rule.endswith("/photos") and "POST" in rule.methods
               for rule in app.url_map.iter_rules())


def camera_photo(path) -> int:
    """A camera-sized JPEG (4,000 × 3,000, noisy like a real photo); returns its size."""
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(path, "JPEG", quality=95)
    return path.stat().st_size


def phone_photos(page, username: str = "obs1") -> list[dict]:
    return page.evaluate("""async (name) => {
        const open = indexedDB.open(name);
        const db = await new Promise((ok) => { open.onsuccess = () => ok(open.result); });
        const all = db.transaction("photos").objectStore("photos").getAll();
        const rows = await new Promise((ok) => { all.onsuccess = () => ok(all.result); });
        db.close();
        const hex = async (blob) => [...new Uint8Array(await crypto.subtle.digest("SHA-256",
            await blob.arrayBuffer()))].map((b) => b.toString(16).padStart(2, "0")).join("");
        return Promise.all(rows.map(async (p) => ({ uuid: p.uuid, status: p.status,
            question: p.question, size: p.blob.size, width: p.width, height: p.height,
            sha256: await hex(p.blob) })));
    }""", f"eom-offline-{username}")


def test_photo_filed_offline_reaches_the_server_once(offline_page, offline_context, offline_app,
                                                      offline_db_path, tmp_path):
    if not has_photos_api(offline_app):
        pytest.skip("the photos API (POST /api/v1/{kind}/{id}/photos) is not in this app yet")
    page = offline_page
    original = tmp_path / "protocol.jpg"
    assert camera_photo(original) > 2_000_000

    log_in_and_keep(page)
    uuid = open_voting_form(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    page.locator("#photo-question").select_option("voters_voted")
    page.locator("#photo-gallery").set_input_files(original)
    thumbs = page.locator("[data-photos] li.photo img")
    expect(thumbs).to_have_count(1, timeout=SLOW)
    (kept,) = phone_photos(page)
    # Shrunk on the phone: the longest side 1,600 px, a few hundred KB.
    assert max(kept["width"], kept["height"]) == 1600 and kept["size"] < 1_000_000
    assert kept["question"] == "voters_voted" and kept["status"] == "draft"

    offline_context.set_offline(True)
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("[data-offline-status]")).to_have_text(SAVED, timeout=SLOW)
    page.reload()
    expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    expect(thumbs).to_have_count(1, timeout=SLOW)
    assert [p["status"] for p in phone_photos(page)] == ["waiting"]

    with page.expect_response(lambda r: r.url.endswith("/photos") and r.request.method == "POST",
                              timeout=SLOW) as upload:
        offline_context.set_offline(False)
    assert upload.value.status == 201
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"), timeout=SLOW)
    entry_id = int(page.url.rsplit("/", 1)[1])
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]
    assert json.loads(checklists_in(offline_db_path)[0][1])["voters_voted"] == 420
    assert phone_photos(page) == []  # nothing left in the outbox

    api = offline_context.request
    listed = api.get(f"/api/v1/checklists/{entry_id}/photos").json()
    photos = listed["photos"] if isinstance(listed, dict) else listed
    assert len(photos) == 1
    (photo,) = photos
    assert photo["uuid"] == kept["uuid"] and photo["question"] == "voters_voted"
    # The bytes the server received are the ones the phone kept (and sent once) ...
    assert photo["upload_sha256"] == kept["sha256"]
    # ... and the file it stored (re-encoded) is the one its hash names.
    stored = api.get(photo["url"]).body()
    assert hashlib.sha256(stored).hexdigest() == photo["sha256"]
    assert len(stored) < 1_000_000


# The phone's side alone, against a stand-in for the photos API (the same contract):
# these run before the API is merged.

def test_photos_are_shrunk_queued_and_uploaded_after_the_entry(offline_page, offline_context,
                                                               offline_db_path, tmp_path):
    page = offline_page
    original = tmp_path / "protocol.jpg"
    big = camera_photo(original)
    uploads = []

    def stand_in(route):
        request = route.request
        uploads.append((request.url, request.post_data_buffer, request.headers))
        route.fulfill(status=201, json={"id": len(uploads), "created": True})

    offline_context.route("**/api/v1/checklists/*/photos", stand_in)
    phone.log_in(page, "obs1")
    uuid = open_voting_form(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    page.locator("#photo-question").select_option("voters_voted")
    page.locator("#photo-gallery").set_input_files(original)
    page.locator("#photo-question").select_option("")
    page.locator("#photo-camera").set_input_files(original)
    thumbs = page.locator("[data-photos] li.photo img")
    expect(thumbs).to_have_count(2, timeout=SLOW)
    # Removed before sending: not sent.
    page.locator("[data-photos] li.photo").nth(1).get_by_role("button", name="Remove").tap()
    expect(thumbs).to_have_count(1)
    (kept,) = phone_photos(page)
    assert max(kept["width"], kept["height"]) == 1600
    assert kept["size"] < big / 4 and kept["size"] < 1_000_000

    page.get_by_role("button", name="Send checklist").tap()
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"), timeout=SLOW)
    entry_id = int(page.url.rsplit("/", 1)[1])
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]
    assert len(uploads) == 1
    url, body, headers = uploads[0]
    assert url.endswith(f"/api/v1/checklists/{entry_id}/photos")
    assert headers.get("x-csrftoken")
    assert kept["uuid"].encode() in body and b'name="question"' in body
    assert b"voters_voted" in body and len(body) < 1_000_000
    assert phone_photos(page) == []


def test_refused_photo_shows_its_message_and_the_entry_stays(offline_page, offline_context,
                                                              offline_db_path, tmp_path):
    page = offline_page
    original = tmp_path / "protocol.jpg"
    camera_photo(original)
    offline_context.route("**/api/v1/checklists/*/photos", lambda route: route.fulfill(
        status=422, json={"error": "The photo was not saved; see the message by the field.",
                          "fields": {"file": ["This picture is too large."]}}))
    phone.log_in(page, "obs1")
    uuid = open_voting_form(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    page.locator("#photo-gallery").set_input_files(original)
    expect(page.locator("[data-photos] li.photo img")).to_have_count(1, timeout=SLOW)
    page.get_by_role("button", name="Send checklist").tap()

    refused = page.locator("[data-photos] li.refused")
    expect(refused).to_contain_text("This picture is too large.", timeout=SLOW)
    expect(page.locator("[data-offline-status]").get_by_role("link", name="See it")).to_have_attribute(
        "href", re.compile(r"/checklists/\d+$"))
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]
    assert phone_photos(page) == []  # dropped from the outbox; the entry is kept
