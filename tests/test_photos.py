"""Photos through the API: stored once, re-encoded without EXIF, refused cleanly when bad."""

import hashlib
import io
import shutil
import uuid as uuids
from pathlib import Path

import pytest
from PIL import Image

from models import checklists, definitions, entries, media, users
from tests import photo_samples as samples
from tests.conftest import good_answers, station_id
from tests.test_api import Api, session_api, token_for
from tests.test_liaison import file_checklist, file_incident
from tests.test_meetings import make_meeting


def media_root(db_path: str) -> Path:
    """Where the app keeps photos in these tests: media/ beside the database."""
    return Path(db_path).parent / "media"


def multipart(fields: dict[str, str], data: bytes, name: str = "photo.jpg") -> tuple[bytes, str]:
    """A multipart/form-data body and its content type, built as bytes.

    (The test client would spool a large body to a temporary file that it
    never closes when the server refuses it unread.)
    """
    boundary = uuids.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
             .encode() for key, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
    body = b"".join(parts) + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_photo(client, path: str, data: bytes, uuid: str | None = None,
               name: str = "photo.jpg", **fields):
    """A multipart upload as the phone's outbox sends it (``client``: an Api or test client)."""
    body, content_type = multipart({"uuid": uuid or str(uuids.uuid4()), **fields}, data, name)
    return client.post(path, data=body, headers={"Content-Type": content_type})


@pytest.fixture
def checklist(app, db):
    return file_checklist(app, db, "202", "obs1")


@pytest.fixture
def observer(app, db):
    return Api(app.test_client(), token_for(db, "obs1"))


def test_a_photo_is_stored_once_re_encoded_and_listed(app, db, db_path, checklist, observer):
    sent = samples.jpeg(exif=samples.with_gps_and_time())
    uuid = str(uuids.uuid4())
    path = f"/api/v1/checklists/{checklist}/photos"
    first = post_photo(observer, path, sent, uuid, question="campaign_material")
    assert first.status_code == 201, first.json
    photo = first.json
    assert photo["created"] is True and photo["uuid"] == uuid
    assert photo["upload_sha256"] == hashlib.sha256(sent).hexdigest()
    assert first.headers["Location"] == photo["url"]
    stored = media.read(media_root(db_path), photo["sha256"])
    assert hashlib.sha256(stored).hexdigest() == photo["sha256"] != photo["upload_sha256"]
    # Re-encoded: no EXIF (no GPS) left, but the capture time was read first
    # (10:15 at an Almaty station, UTC+6 in 2023).
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    assert photo["captured_utc"] == "2023-03-19T04:15:00Z"
    assert (photo["width"], photo["height"]) == (640, 480)

    again = post_photo(observer, path, sent, uuid, question="campaign_material")
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["id"] == photo["id"]
    # Same bytes under a new uuid: a second photo row, still one file.
    other = post_photo(observer, path, sent)
    assert other.status_code == 201 and other.json["sha256"] == photo["sha256"]
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 2
    files = media.listing(media_root(db_path))
    assert len(files) == 2  # the photo and its thumbnail, once each

    listed = observer.get(path)
    assert listed.status_code == 200
    assert [p["uuid"] for p in listed.json["photos"]] == [uuid, other.json["uuid"]]
    assert listed.json["photos"][0]["question"] == "campaign_material"
    assert set(listed.json["photos"][0]) >= {"id", "uuid", "sha256", "question", "url",
                                             "thumbnail_url"}


@pytest.mark.parametrize("path_kind", ["incidents", "interactions", "meetings"])
def test_incidents_and_meetings_take_photos_too(app, db, observer, path_kind):
    entry = file_incident(db, "obs1", "T01") if path_kind == "incidents" else make_meeting(db)
    question = "description" if path_kind == "incidents" else "summary"
    sent = post_photo(observer, f"/api/v1/{path_kind}/{entry}/photos", samples.png(),
                      question=question)
    assert sent.status_code == 201, sent.json
    listed = observer.get(f"/api/v1/{path_kind}/{entry}/photos").json["photos"]
    assert [p["question"] for p in listed] == [question]


def test_webp_is_accepted_and_a_session_needs_its_csrf_header(app, db, checklist):
    path = f"/api/v1/checklists/{checklist}/photos"
    assert post_photo(session_api(app, "obs1"), path, samples.webp()).status_code == 201
    refused = post_photo(session_api(app, "obs1", with_csrf=False), path, samples.webp())
    assert refused.status_code == 400 and "X-CSRFToken" in refused.json["error"]


def test_who_may_add_and_list_photos(app, db, checklist):
    path = f"/api/v1/checklists/{checklist}/photos"

    def as_user(name):
        return Api(app.test_client(), token_for(db, name))
    assert post_photo(as_user("obs2"), path, samples.jpeg()).status_code == 201  # same team
    assert post_photo(as_user("coord"), path, samples.jpeg()).status_code == 403
    assert post_photo(as_user("liaison"), path, samples.jpeg()).status_code == 403
    assert as_user("coord").get(path).status_code == 200
    assert as_user("obs3").get(path).status_code == 404
    assert Api(app.test_client()).get(path).status_code == 401
    meeting = make_meeting(db)  # T01's meeting: the liaison reads it but did not write it
    assert post_photo(as_user("liaison"), f"/api/v1/meetings/{meeting}/photos",
                      samples.jpeg()).status_code == 403


def test_an_unknown_question_and_a_bad_uuid_are_refused(app, db, db_path, checklist, observer):
    path = f"/api/v1/checklists/{checklist}/photos"
    wrong = post_photo(observer, path, samples.jpeg(), question="no_such_question")
    assert wrong.status_code == 400 and "question" in wrong.json["fields"]
    assert post_photo(observer, path, samples.jpeg(), uuid="12").status_code == 400
    assert observer.post(path, {"uuid": str(uuids.uuid4())}).status_code == 415
    assert media.listing(media_root(db_path)) == []


# --- bad input: each a clear 4xx, nothing half-stored, no stray file ---------------

FIRST = str(uuids.uuid4())  # the uuid the "reused" row sends twice
BAD = [
    # name, what is sent, status, who sends it, uuid (None: a new one)
    ("not an image", lambda: b"%PDF-1.4 this is not a photo at all" * 50, 422, "obs1", None),
    ("truncated jpeg", samples.truncated, 422, "obs1", None),
    ("30000 x 30000 png", samples.huge_png, 422, "obs1", None),
    ("svg with script", samples.svg_with_script, 422, "obs1", None),
    ("empty file", lambda: b"", 422, "obs1", None),
    ("50 MB file", lambda: b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024), 413, "obs1", None),
    ("another team's entry", samples.jpeg, 404, "obs3", None),
    ("uuid reused with other bytes", lambda: samples.jpeg(seed=2), 409, "obs1", FIRST),
]


@pytest.mark.parametrize("name, make, status, user, uuid", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_leaves_nothing(app, db, db_path, checklist, observer,
                                                  name, make, status, user, uuid):
    path = f"/api/v1/checklists/{checklist}/photos"
    if uuid:
        assert post_photo(observer, path, samples.jpeg(seed=1), uuid).status_code == 201
    rows = db.execute("SELECT count(*) FROM photos").fetchone()[0]
    files = media.listing(media_root(db_path))
    sender = Api(app.test_client(), token_for(db, user))
    response = post_photo(sender, path, make(), uuid,
                          name="x.svg" if "svg" in name else "x.jpg")
    assert response.status_code == status, response.data[:300]
    assert response.is_json and response.json["error"]
    if status != 404:  # another team's entry: said no more than "not found"
        assert set(response.json["fields"]) == {"uuid" if status == 409 else "file"}
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == rows
    # The listing walks every folder: a staged file left in .incoming/ would show.
    assert media.listing(media_root(db_path)) == files


def test_a_file_just_over_the_photo_limit_is_413_with_the_message_by_the_field(
        app, db, db_path, checklist, observer):
    app.config["PHOTO_MAX_BYTES"] = 100_000
    response = post_photo(observer, f"/api/v1/checklists/{checklist}/photos",
                          samples.jpeg(1600, 1200))
    assert response.status_code == 413 and "file" in response.json["fields"]
    assert media.listing(media_root(db_path)) == []


def test_a_polyglot_is_stored_re_encoded_without_its_zip(app, db, db_path, checklist, observer):
    sent = samples.polyglot()
    response = post_photo(observer, f"/api/v1/checklists/{checklist}/photos", sent)
    assert response.status_code == 201
    stored = media.read(media_root(db_path), response.json["sha256"])
    assert b"PK\x03\x04" in sent and b"PK\x03\x04" not in stored
    assert stored.endswith(b"\xff\xd9")


def test_a_failed_write_removes_the_files_it_placed(app, db, db_path, checklist, observer,
                                                   monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError("disk trouble after the files were placed")
    monkeypatch.setattr("models.photos.audit.record", fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = post_photo(observer, f"/api/v1/checklists/{checklist}/photos", samples.jpeg())
    assert response.status_code == 500
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    assert media.listing(media_root(db_path)) == []


def test_a_failed_upload_keeps_a_file_another_photo_uses(app, db, db_path, checklist, observer,
                                                       monkeypatch):
    sent = samples.jpeg(seed=9)
    path = f"/api/v1/checklists/{checklist}/photos"
    kept = post_photo(observer, path, sent)
    assert kept.status_code == 201
    before = media.listing(media_root(db_path))

    def fails(*args, **kwargs):
        raise RuntimeError("the second upload fails")
    monkeypatch.setattr("models.photos.audit.record", fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert post_photo(observer, path, sent).status_code == 500
    assert media.listing(media_root(db_path)) == before
    assert media.check(media_root(db_path), kept.json["sha256"]) == "ok"


def test_placing_again_restores_a_file_taken_away_meanwhile(tmp_path):
    data = samples.jpeg(seed=4)
    digest = media.sha256(data)
    staged = media.stage(tmp_path, data)
    assert media.place(tmp_path, staged, digest) is True
    assert media.place(tmp_path, staged, digest) is False  # already there
    media.remove(tmp_path, [digest])  # what a failed upload of the same bytes does
    assert media.place(tmp_path, staged, digest) is True
    media.discard([staged])
    assert media.listing(tmp_path) == [str(media.path_of(tmp_path, digest).relative_to(tmp_path))]
    assert media.check(tmp_path, digest) == "ok"


def test_the_cameras_orientation_is_applied_before_exif_is_dropped(app, db, db_path, checklist,
                                                                   observer):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": a phone held upright
    sent = post_photo(observer, f"/api/v1/checklists/{checklist}/photos",
                      samples.jpeg(640, 480, exif=exif))
    assert sent.status_code == 201
    assert (sent.json["width"], sent.json["height"]) == (480, 640)
    stored = Image.open(io.BytesIO(media.read(media_root(db_path), sent.json["sha256"])))
    assert stored.size == (480, 640) and 0x0112 not in stored.getexif()


@pytest.mark.parametrize("path_kind", ["checklists", "incidents", "interactions", "meetings"])
def test_the_openapi_document_describes_both_photo_operations(app, path_kind):
    doc = app.test_client().get("/api/v1/openapi.json").json
    operations = doc["paths"][f"/api/v1/{path_kind}/{{entry_id}}/photos"]
    body = operations["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    assert body["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/PhotoForm"}
    assert set(doc["components"]["schemas"]["PhotoForm"]["required"]) == {"uuid", "file"}
    assert {"200", "201", "409", "413", "415", "422"} <= set(operations["post"]["responses"])
    listed = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"$ref": "#/components/schemas/Photos"}
    photo = doc["components"]["schemas"]["Photo"]["required"]
    assert {"id", "uuid", "sha256", "question", "url", "thumbnail_url"} <= set(photo)


def test_folders_removed_behind_the_apps_back_are_made_again(tmp_path):
    data = samples.jpeg(seed=5)
    digest = media.sha256(data)
    first = media.stage(tmp_path, data)
    assert media.place(tmp_path, first, digest)
    media.discard([first])
    shutil.rmtree(tmp_path)  # an operator empties the media folder while the app runs
    again = media.stage(tmp_path, data)
    assert media.place(tmp_path, again, digest)
    media.discard([again])
    assert media.check(tmp_path, digest) == "ok"



def _counting(db, number: str, author: str) -> int:
    """A counting checklist at station ``number`` (no protocol figures needed for a photo)."""
    definition = definitions.get("counting")
    user = users.find_by_username(db, author)
    filing = checklists.Filing(
        uuid=str(uuids.uuid4()), form_type="counting", form_version=definition.version,
        station_id=station_id(db, number), timezone="Asia/Almaty",
        arrival_utc="2023-03-19T14:00:00Z", departure_utc="2023-03-19T17:40:00Z",
        answers=good_answers(definition), overall="good", serious_count=0)
    return entries.create(db, checklists.CHECKLISTS, filing, user["id"], user["team"])[0]


def test_a_photo_is_tied_to_a_counting_protocol_section(app, db, checklist, observer):
    """A counting checklist's posted protocol is the evidence: its photo names the section
    (protocol-list), which is no question of the definition; a voting checklist has none."""
    counting = _counting(db, "202", "obs1")
    sent = post_photo(observer, f"/api/v1/checklists/{counting}/photos", samples.jpeg(),
                      str(uuids.uuid4()), question="protocol-list")
    assert sent.status_code == 201, sent.json
    assert sent.json["question"] == "protocol-list"
    refused = post_photo(observer, f"/api/v1/checklists/{checklist}/photos", samples.jpeg(),
                         str(uuids.uuid4()), question="protocol-list")
    assert refused.status_code == 400 and "question" in refused.json["fields"]
