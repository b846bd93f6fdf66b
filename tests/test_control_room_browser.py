"""The control room in a real (headless) Chromium: a check-in through the outbox, the list refreshing.

Reuses the offline tests' server (a thread, CSRF and the CSP on) and phone.
Every wait is on an event, with the offline tests' generous bound.
"""

import re
import sqlite3
import uuid
from contextlib import closing

from playwright.sync_api import expect

from models import users
from models.db import connect
from tests import test_offline_browser as phone
from tests.test_offline_browser import SLOW, log_in

pytestmark = phone.pytestmark
# The same fixtures (pytest finds them as this module's attributes).
offline_db_path = phone.offline_db_path
offline_app = phone.offline_app
offline_server = phone.offline_server
offline_context = phone.offline_context
offline_page = phone.offline_page


def checkins_in(path: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT kind, note, team FROM checkins").fetchall()


def test_a_checkin_made_offline_is_sent_once_when_the_connection_returns(
        offline_page, offline_context, offline_db_path):
    page = offline_page
    log_in(page, "obs1")
    expect(page.locator("#checkin-form[data-outbox-ready]")).to_have_count(1, timeout=SLOW)
    offline_context.set_offline(True)
    page.locator("#checkin label.choice").filter(
        has=page.get_by_text("Safe — no signal for a while", exact=True)).tap()
    page.get_by_label("Note (optional)").fill("No signal until the count")
    page.get_by_role("button", name="Check in", exact=True).tap()
    expect(page.locator("#checkin-status")).to_contain_text("Saved on this phone")
    assert checkins_in(offline_db_path) == []
    offline_context.set_offline(False)
    expect(page.locator("#checkin-status")).to_have_text("Check-in received.", timeout=SLOW)
    assert checkins_in(offline_db_path) == [("safe", "No signal until the count", "T01")]


def test_the_control_room_refreshes_itself(offline_page, offline_app, offline_db_path,
                                           monkeypatch):
    monkeypatch.setattr("views.control_room.REFRESH_SECONDS", 5)
    db = connect(offline_db_path)
    try:
        users.create_user(db, "coord", "password3", "coordinator", None, None)
        observer = users.find_by_username(db, "obs1")["id"]
    finally:
        db.close()
    page = offline_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.get_by_label("User name").fill("coord")
    page.get_by_label("Password").fill("password3")
    page.get_by_role("button", name="Log in").click()
    page.goto("/control")
    row = page.locator("#board tr", has=page.get_by_text("T01", exact=True))
    expect(row).to_contain_text("never")
    with closing(sqlite3.connect(offline_db_path)) as conn, conn:
        conn.execute("INSERT INTO checkins (uuid, team, author_id, kind, station_id, note,"
                     " occurred_utc, timezone, created_utc) VALUES (?, 'T01', ?, 'leaving', NULL,"
                     " 'Off to the count', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'Asia/Aqtobe',"
                     " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", [str(uuid.uuid4()), observer])
    # No reload: the list asks again within about 5 s.
    expect(page.locator("#board tr", has=page.get_by_text("T01", exact=True))).to_contain_text(
        re.compile(r"0 min ago.*Leaving · Off to the count", re.S), timeout=SLOW)
