"""Shared fixtures: a real SQLite file per test, the app, clients, a CSRF-aware helper."""

import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from app import create_app
from models import stations, users
from models.db import connect
from views.security import limiter

# CI runs on a busy shared machine: a browser test's expectation waits up to 20 s for
# its event (Playwright's own default, 5 s, once missed a drafts list read from
# IndexedDB under load). Only a failing test waits that long.
expect.set_options(timeout=20_000)

PASSWORD = "password123"
STATIONS_CSV = """number,name,address,region,district,timezone,registered_voters,latitude,longitude
101,Школа-гимназия № 5,"ул. Абая, 10",Astana,Almaty district,Asia/Almaty,1500,51.16,71.47
202,Ақтөбе мектебі № 12,"пр. Абилкайыр хана, 3",Aktobe,Aktobe city,Asia/Aqtobe,1200,,
303,Дом культуры,"ул. Ленина, 1",Almaty,Medeu district,Asia/Almaty,900,43.25,76.95
"""


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Argon2 with production costs takes ~0.1-0.3 s per hash; tests log in hundreds of times.

    Same algorithm and code path, minimal cost parameters: only the suite's speed changes.
    """
    original, original_dummy = users._hasher, users._DUMMY_HASH
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    users._DUMMY_HASH = users._hasher.hash("not a password")
    yield
    users._hasher, users._DUMMY_HASH = original, original_dummy


@pytest.fixture(autouse=True, scope="session")
def compiled_catalogues():
    """The Kazakh and Russian .mo files, as `make translations` makes them, when stale.

    So a test run without make (one file, from an editor) speaks every language too.
    """
    for po_path in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "observation.sqlite")


@pytest.fixture
def app(db_path, tmp_path):
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test-secret", "TESTING": True})
    limiter.reset()  # one in-memory count for the whole test process
    db = connect(db_path)
    csv_path = tmp_path / "stations.csv"
    csv_path.write_text(STATIONS_CSV, encoding="utf-8")
    written, errors = stations.import_csv(db, str(csv_path))
    assert (written, errors) == (3, [])
    hashed = users.hash_password(PASSWORD)
    for name, role, team in [("obs1", "observer", "T01"), ("obs2", "observer", "T01"),
                             ("obs3", "observer", "T02"), ("coord", "coordinator", None),
                             ("liaison", "liaison", None), ("admin", "admin", None)]:
        users.create_user(db, name, None, role, team, "Aktobe", password_hash=hashed)
    db.close()
    return app


@pytest.fixture
def db(db_path, app):
    database = connect(db_path)
    yield database
    database.close()


def station_id(db, number: str) -> int:
    """The id of the station with this number."""
    return db.execute("SELECT id FROM stations WHERE number = ?", [number]).fetchone()[0]


class Browser:
    """A test client that behaves like a browser: reads CSRF tokens from the pages it gets."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def hidden(html: str, name: str) -> str:
        match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or \
            re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
        assert match, f"no hidden {name} in page"
        return match.group(1)

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post("/login", data={
            "csrf_token": self.hidden(page.text, "csrf_token"),
            "username": username, "password": password})

    def open_form(self, form_type: str, station: int) -> dict:
        """GET a new checklist form; returns its hidden fields."""
        page = self.client.get(f"/checklists/{form_type}/new?station={station}",
                               follow_redirects=True)
        assert page.status_code == 200, page.text
        return {name: self.hidden(page.text, name)
                for name in ("csrf_token", "uuid", "station_id")}


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


def good_answers(definition) -> dict:
    """A complete, valid, unproblematic set of answers for a definition."""
    answers = {}
    for q in definition.questions.values():
        if q.relevant and answers.get(q.relevant[0]) != q.relevant[1]:
            continue
        if q.type == "yesno":
            answers[q.id] = "no" if q.problem == "yes" else "yes"
        elif q.type in ("choice", "multi") and q.required:
            answers[q.id] = q.choices[0][0]
        elif q.type == "integer" and q.required:
            answers[q.id] = str(q.min or 0)
        elif q.type == "text" and q.required:
            answers[q.id] = "ТИК Алматинского района"
        elif q.type == "time" and q.required:
            answers[q.id] = "09:00"
    return answers


def visit(**overrides) -> dict:
    """A checklist header: arrival and departure on election day, overall 'good'."""
    fields = {"arrival_date": "2023-03-19", "arrival_time": "10:00",
              "departure_date": "2023-03-19", "departure_time": "10:40", "overall": "good"}
    fields.update(overrides)
    return fields
