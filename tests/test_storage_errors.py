"""A read-only or full database: the app starts, pages read, saving gets a clear 503, never a 500.

The database lives in its own folder. Made read-only for real: chmod when the
tests run as a normal user; as root (whom chmod does not stop) that folder is
a small tmpfs, remounted read-only or filled up. Where root cannot mount, the
tests needing it are skipped; the full disk is also simulated everywhere with
SQLite's max_page_count.
"""

import os
import sqlite3
import subprocess

import pytest

from app import create_app
from models import audit, definitions
from models import db as database
from models.db import get_db
from tests.conftest import Browser, good_answers, station_id, visit
from views import storage_errors

SAVE = ("Could not save: the server cannot write right now. Your entry is kept on your phone; "
        "try again in a few minutes.")
ROOT = os.geteuid() == 0


@pytest.fixture
def data_dir(tmp_path):
    """The database's folder: a 16 MB tmpfs when root, so root can be denied writes."""
    folder = tmp_path / "data"
    folder.mkdir()
    if ROOT:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs",
                                  str(folder)], check=False, capture_output=True)
        if mounted.returncode:
            pytest.skip("root without permission to mount a tmpfs: cannot deny writes to root")
    yield folder
    if ROOT:
        subprocess.run(["umount", "-l", str(folder)], check=True)
    else:
        _writable(folder)


@pytest.fixture
def db_path(data_dir):
    """Overrides conftest's: the app fixture builds its database in data_dir."""
    return str(data_dir / "observation.sqlite")


def _read_only(folder, what: str = "folder") -> None:
    """The whole folder (read-only file system as root), or only the database file."""
    if ROOT:
        assert what == "folder"
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        return
    for path in folder.iterdir():
        path.chmod(0o444)
    if what == "folder":
        folder.chmod(0o555)


def _writable(folder) -> None:
    if ROOT:
        subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
    else:
        folder.chmod(0o755)
        for path in folder.iterdir():
            path.chmod(0o644)


def _fill(folder) -> None:
    """Take every free byte of the tmpfs."""
    with open(folder / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                filler.write(b"\0" * 512)
        except OSError:
            pass


def _with_storage_errors(app):
    # The lead wires storage_errors.init_app into create_app; until then, here.
    if sqlite3.OperationalError not in app.error_handler_spec[None][None]:
        storage_errors.init_app(app)
    return app


def _restart(app, browser: Browser | None = None) -> tuple:
    """A new app on the same database (it must start), and a client with the same login."""
    fresh = _with_storage_errors(create_app(
        {"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret", "TESTING": True}))
    client = fresh.test_client()
    if browser is not None:
        client.set_cookie("session", browser.client.get_cookie("session").value)
    return fresh, Browser(client)


def _count(path: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM checklists").fetchone()[0]
    finally:
        conn.close()


def _checklist(app, browser: Browser, station: int) -> dict:
    hidden = browser.open_form("voting", station)
    return {**hidden, **visit(), **good_answers(definitions.get("voting"))}


def _station(app, number: str) -> int:
    conn = database.connect(app.config["DATABASE"])
    try:
        return station_id(conn, number)
    finally:
        conn.close()


@pytest.mark.parametrize("what", [
    "folder",
    pytest.param("file", marks=pytest.mark.skipif(ROOT, reason="root writes a 0444 file"))])
def test_read_only_database_starts_serves_pages_and_answers_writes_with_503(app, data_dir,
                                                                           what):
    app = _with_storage_errors(app)
    observer, coordinator = Browser(app.test_client()), Browser(app.test_client())
    observer.login("obs1")
    coordinator.login("coord")
    station = _station(app, "202")
    filed = observer.client.post("/checklists/voting/new", data=_checklist(app, observer, station))
    assert filed.status_code == 303
    _read_only(data_dir, what)

    fresh, observer = _restart(app, observer)
    for page in ("/checklists/new", "/checklists", filed.location):
        response = observer.client.get(page)
        assert response.status_code == 200, page
    assert "Ақтөбе мектебі № 12" in observer.client.get("/checklists").text
    data = _checklist(fresh, observer, station)  # the form still opens
    refused = observer.client.post("/checklists/voting/new", data=data)
    assert refused.status_code == 503
    assert SAVE in refused.text
    assert refused.headers["Retry-After"]

    _fresh, coordinator = _restart(app, coordinator)
    assert coordinator.client.get("/review").status_code == 200
    _fresh, stranger = _restart(app)
    page = stranger.client.get("/login")
    assert page.status_code == 200
    login = stranger.client.post("/login", data={
        "csrf_token": Browser.hidden(page.text, "csrf_token"), "username": "obs2",
        "password": "password123"})
    assert login.status_code == 503
    assert "Could not log you in: the server cannot write right now." in login.text

    _writable(data_dir)
    assert _count(app.config["DATABASE"]) == 1
    # No restart needed: the next request opens the file for writing again.
    again = observer.client.post("/checklists/voting/new", data=data)  # the phone retries
    assert again.status_code == 303
    assert _count(app.config["DATABASE"]) == 2


def test_a_worker_never_keeps_a_read_only_connection(app, data_dir, monkeypatch):
    """Kept connections (gunicorn workers): once the folder is writable again, saving works."""
    app = _with_storage_errors(app)
    observer = Browser(app.test_client())
    observer.login("obs1")
    data = _checklist(app, observer, _station(app, "202"))
    _read_only(data_dir)
    # From here on as in a gunicorn worker; not before: an open connection
    # would keep root from remounting the folder read-only.
    monkeypatch.setattr(database, "_keeping", True)
    try:
        assert observer.client.get("/checklists").status_code == 200
        assert observer.client.post("/checklists/voting/new", data=data).status_code == 503
        _writable(data_dir)
        assert observer.client.post("/checklists/voting/new", data=data).status_code == 303
        assert _count(app.config["DATABASE"]) == 1
    finally:
        database.close_kept()


def test_read_only_database_answers_api_writes_with_json_503(app, data_dir):
    observer = Browser(app.test_client())
    observer.login("obs1")
    _read_only(data_dir)
    fresh, observer = _restart(app, observer)

    @fresh.post("/api/v1/_storage_probe")
    def storage_probe():
        audit.record(get_db(), "probe")  # any write
        return {"ok": True}

    token = Browser.hidden(observer.client.get("/login").text, "csrf_token")
    response = observer.client.post("/api/v1/_storage_probe", json={},
                                    headers={"X-CSRFToken": token})
    assert response.status_code == 503
    assert response.get_json() == {"error": SAVE}


def test_api_checklist_on_read_only_database_is_503_json(app, data_dir):
    if not any(r.rule == "/api/v1/checklists" and "POST" in r.methods
               for r in app.url_map.iter_rules()):
        pytest.skip("POST /api/v1/checklists is not written yet")
    observer = Browser(app.test_client())
    observer.login("obs1")
    station = _station(app, "202")
    answers = good_answers(definitions.get("voting"))
    body = {"uuid": "1b4e28ba-2fa1-41d2-883f-0016d3cca427", "form_type": "voting",
            "station_id": station, **visit(), "answers": answers, "comments": "",
            "figures_confirmed": False}
    _read_only(data_dir)
    _fresh, observer = _restart(app, observer)
    token = Browser.hidden(observer.client.get("/login").text, "csrf_token")
    response = observer.client.post("/api/v1/checklists", json=body,
                                    headers={"X-CSRFToken": token})
    assert response.status_code == 503
    assert "phone" in response.get_json()["error"]  # the API words it its own way
    assert response.headers["Retry-After"]


def _submit_until_refused(app, browser: Browser, station: int) -> tuple[list[int], dict]:
    """Post new checklists until one is refused (at most 60); statuses and the refused form."""
    statuses = []
    for _ in range(60):
        data = _checklist(app, browser, station)
        response = browser.client.post("/checklists/voting/new", data=data)
        statuses.append(response.status_code)
        if response.status_code != 303:
            assert response.status_code == 503
            assert SAVE in response.text
            return statuses, data
    pytest.fail("60 checklists were saved on a full disk")


def test_full_database_simulated_with_max_page_count(app, monkeypatch):
    app = _with_storage_errors(app)
    observer = Browser(app.test_client())
    observer.login("obs1")
    station = _station(app, "202")
    probe = database.connect(app.config["DATABASE"])
    pages = probe.execute("PRAGMA page_count").fetchone()[0]
    probe.close()
    real_connect = database.connect

    def full_disk(path, busy_timeout_ms=10000):
        db = real_connect(path, busy_timeout_ms)
        db.execute(f"PRAGMA max_page_count = {int(pages)}")  # the file may not grow
        return db

    monkeypatch.setattr(database, "connect", full_disk)
    statuses, refused = _submit_until_refused(app, observer, station)
    assert observer.client.get("/checklists").status_code == 200  # reading still works
    assert _count(app.config["DATABASE"]) == statuses.count(303)  # no partial rows

    monkeypatch.setattr(database, "connect", real_connect)  # space is back
    again = observer.client.post("/checklists/voting/new", data=refused)
    assert again.status_code == 303
    assert _count(app.config["DATABASE"]) == statuses.count(303) + 1


@pytest.mark.skipif(not ROOT, reason="filling a real file system needs a tmpfs (root)")
def test_full_disk_on_a_real_file_system(app, data_dir):
    app = _with_storage_errors(app)
    observer = Browser(app.test_client())
    observer.login("obs1")
    station = _station(app, "202")
    _fill(data_dir)
    try:
        statuses, refused = _submit_until_refused(app, observer, station)
        assert observer.client.get("/checklists").status_code == 200
    finally:
        (data_dir / "filler").unlink()
    assert _count(app.config["DATABASE"]) == statuses.count(303)
    again = observer.client.post("/checklists/voting/new", data=refused)
    assert again.status_code == 303
    assert _count(app.config["DATABASE"]) == statuses.count(303) + 1


def _error(tmp_path, action) -> sqlite3.Error:
    path = str(tmp_path / "probe.sqlite")
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE IF NOT EXISTS t (x)")
    setup.commit()
    setup.close()
    with pytest.raises(sqlite3.Error) as caught:
        action(path)
    return caught.value


def _read_only_insert(path):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("INSERT INTO t VALUES (1)")


def _full(path):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA max_page_count = 2")
    conn.execute("INSERT INTO t VALUES (zeroblob(100000))")


def _busy(path):
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE")


def _missing_table(path):
    sqlite3.connect(path).execute("SELECT * FROM nothing_here")


def _syntax(path):
    sqlite3.connect(path).execute("SELEKT 1")


@pytest.mark.parametrize("action, unavailable", [
    (_read_only_insert, True), (_full, True), (_busy, True),
    (_missing_table, False), (_syntax, False)])
def test_only_storage_failures_become_503(tmp_path, action, unavailable):
    assert storage_errors.is_unavailable(_error(tmp_path, action)) is unavailable


def test_programming_errors_still_raise(app):
    app = _with_storage_errors(app)

    @app.get("/_broken")
    def broken():
        get_db().execute("SELECT * FROM nothing_here")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        app.test_client().get("/_broken")
