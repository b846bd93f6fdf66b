"""A synthetic mission for the benchmarks: stations, observers, valid answers, the demo.

Shared by bench/submit.py, bench/profile_submit.py, bench/load.py,
bench/dashboard.py and bench/report.py.
"""

import time
from collections.abc import Callable

from sqlite_utils import Database

from app import create_app
from models import demo, stations, users
from models.db import connect, writing
from models.definitions import Definition

ZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Oral", "Asia/Qostanay")
VISIT = {"arrival_date": "2023-03-19", "arrival_time": "10:00",
         "departure_date": "2023-03-19", "departure_time": "10:40", "overall": "good"}


def prepare(path: str, secret: str, observers: int, station_count: int, password: str,
            team_size: int) -> list[int]:
    """Migrate a fresh database, add stations and observers (``observer000``...); their ids."""
    create_app({"DATABASE": path, "SECRET_KEY": secret})
    rows = []
    for n in range(1, station_count + 1):
        number, name = f"{n:03d}", f"School No. {n}"
        address, district = f"{n} Abay Avenue", f"District {n % 7 + 1}"
        rows.append({"number": number, "name": name, "address": address,
                     "region": f"Region {n % 17 + 1}", "district": district,
                     "timezone": ZONES[n % len(ZONES)], "registered_voters": 1500 + n,
                     "latitude": 43.2 + n / 1000, "longitude": 76.9 + n / 1000,
                     "search_text": stations.search_text(number, name, address, district)})
    db = connect(path)
    try:
        stations.upsert(db, rows)
        hashed = users.hash_password(password)  # argon2 is slow: hash once
        with writing(db):
            return [users.create_user(db, f"observer{i:03d}", None, "observer",
                                      team=f"team{i // team_size:03d}", password_hash=hashed)
                    for i in range(observers)]
    finally:
        db.close()


def demo_database(path: str, station_count: int, checklist_count: int,
                  then: Callable[[Database], None]) -> None:
    """Migrate and fill with the demo mission (as `flask demo`), then ``then(db)``.

    A database that already has users is reused as it is (``--db`` to build once).
    """
    create_app({"DATABASE": path, "SECRET_KEY": "bench"})
    db = connect(path)
    try:
        if users.count_users(db):
            print(f"Reusing the mission already in {path}")
            return
        started = time.perf_counter()
        demo.generate(db, station_count, checklist_count)
        then(db)
        print(f"Built {path} in {time.perf_counter() - started:.1f} s")
    finally:
        db.close()


def answers(definition: Definition) -> dict:
    """An answer to every required, relevant question, satisfying the definition's checks.

    Numbers are ints and multiple choices lists, as the JSON API takes them.
    """
    found: dict = {}
    for q in definition.questions.values():
        if q.relevant and found.get(q.relevant[0]) != q.relevant[1] or not q.required:
            continue
        if q.type == "integer":
            found[q.id] = min(q.max if q.max is not None else 1000, 1000)
        elif q.type == "yesno":
            found[q.id] = "no"
        elif q.type == "choice":
            found[q.id] = q.choices[0][0]  # for voting, "used": asks the mobile-box questions
        elif q.type == "multi":
            found[q.id] = [q.choices[0][0]]
        elif q.type == "time":
            found[q.id] = "10:15"
        else:
            found[q.id] = "Nothing to note."
    for check in definition.checks:  # voters_voted <= voters_on_list, sums that add up
        if check.rule == "lte" and check.left in found and check.right in found:
            found[check.left] = min(found[check.left], found[check.right]) // 2
        elif check.rule == "sum" and all(p in found for p in check.parts):
            found[check.total] = sum(found[p] for p in check.parts)
    return found


def form_fields(definition: Definition) -> dict[str, str | list[str]]:
    """The visit and the answers as a browser posts the checklist form (urlencode with doseq)."""
    return {**VISIT, **{k: [str(x) for x in v] if isinstance(v, list) else str(v)
                        for k, v in answers(definition).items()}}
