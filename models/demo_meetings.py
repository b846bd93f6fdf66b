"""Demo meetings with election commissions: Kazakhstan, early Mazhilis elections 2023.

``generate_meetings(db, rng, count, *, start, end) -> dict`` adds ``count``
meeting reports to a database that already holds the demo's stations, users
and checklists (models.demo), as an ODIHR-style mission would have logged them
from the long-term observers' deployment (17 February) to after the final
results (27 March): the liaison with the CEC in Astana, long-term observer
teams with the territorial, district and precinct commissions of their
region. Each has counterparts, topics of its phase of the campaign, requests
and commitments (most answered or closed, some still open past their due
date, so overdue), links to serious checklists, and a CEC queue of such
checklists for the liaison. Names of people are invented.

It joins the caller's transaction when there is one (models.demo.generate
writes everything in one), otherwise it opens its own. Returns counts for
the demo's summary.
"""

import random
import uuid
from datetime import date, time, timedelta

from sqlite_utils import Database

from models import entries, meetings
from models.clock import from_iso, local_to_utc, to_iso
from models.db import writing
from models.demo_stations import REGIONS

LTO_DEPLOYED = date(2023, 2, 17)
ELECTION_DAY = date(2023, 3, 19)
FINAL_RESULTS = date(2023, 3, 27)
LAST_MEETING = date(2023, 4, 7)
CAPITAL_ZONE = "Asia/Almaty"
CEC = "Central Election Commission of the Republic of Kazakhstan"
FIRST = ("Айгүл", "Ерлан", "Гүлнар", "Бауыржан", "Динара", "Нұрлан", "Сәуле", "Марат",
         "Жанар", "Асхат", "Ләззат", "Ольга", "Сергей", "Әсел", "Дәурен", "Меруерт")
LAST = ("Серікқызы", "Жақсыбеков", "Әбенова", "Тоқтаров", "Исаева", "Омаров", "Қасымова",
        "Ахметов", "Иванова", "Нұрғалиев", "Бекова", "Сейітов", "Петренко", "Жұмабаев")
POSITIONS = ("Chairperson", "Deputy Chairperson", "Secretary", "Member", "Member")
BEFORE = ("accreditation_access", "voter_lists", "candidate_party_registration",
          "list_quota_30", "media", "polling_procedures", "complaints_appeals")
AFTER = ("counting_protocols", "results_tabulation", "complaints_appeals", "voter_lists",
         "other")
# Per topic: what the mission asks, what the commission promises, a line of summary.
ITEMS = {
    "accreditation_access": (
        ("Copies of the decisions accrediting international observers",
         "Confirmation that accredited observers may attend PEC sessions without notice"),
        ("Accreditation decisions will be published on the website within three days",),
        "Observers' accreditation and their access to commission sessions were discussed."),
    "voter_lists": (
        ("Number of voters added to the lists on election day, per precinct",
         "Access to the voter list extract of PEC No. {station} for verification"),
        ("The commission will send the number of voters per precinct as of 10 March",),
        "The commission explained how voter lists are updated and checked."),
    "candidate_party_registration": (
        ("Copies of the decisions refusing registration of single-member candidates",),
        ("Registration statistics per district will be shared with the mission",),
        "Refusals of registration of self-nominated candidates were raised."),
    "list_quota_30": (
        (("How the 30% quota for women, youth and persons with disabilities applies "
          "when mandates are distributed"),),
        ("The CEC will publish its explanation of the quota in the distribution of mandates",),
        "The 30% quota on party lists and in the distribution of mandates was discussed."),
    "media": (
        ("Decisions on complaints about campaign coverage",),
        ("The commission will forward the mission's questions to the Ministry of Information",),
        "Equal media access of contestants was discussed."),
    "polling_procedures": (
        ("Instructions given to PECs on the mobile ballot box",
         "Training schedule of precinct commissions"),
        ("PEC chairs will be reminded to show the empty ballot boxes to observers",),
        "Election-day procedures and PEC training were discussed."),
    "complaints_appeals": (
        ("Register of complaints received with the decisions taken",
         "Timeline for deciding the complaint of {party} about PEC No. {station}"),
        ("Complaints will be decided within five days and published",),
        "Complaints and appeals filed so far were reviewed."),
    "counting_protocols": (
        ("Why the protocol copy was not given to observers at PEC No. {station}",
         "Copies of the PEC protocols of the precincts the mission observed"),
        ("Protocols of all PECs will be posted on the CEC website",),
        "Counting at precincts the mission observed and protocol copies were raised."),
    "results_tabulation": (
        ("Results by precinct in machine-readable form",
         "The corrections made to PEC protocols during tabulation"),
        ("Precinct results will be published before the final results",),
        "The tabulation of results and corrections of protocols were discussed."),
    "other": (
        ("Schedule of CEC briefings for international observers",),
        ("The mission will be invited to the CEC session on the final results",),
        "Cooperation with the mission was discussed."),
}
ANSWERS = {"request": ("Provided in writing.", "Answered orally at the next meeting.",
                       "Published on the commission's website.",
                       "Partly provided; figures for two districts still missing.",
                       "The commission declined: it considers the data internal."),
           "commitment": ("Done as promised.", "Done, two days late.",
                          "Done in part: only the Kazakh version was published.",
                          "Not done; the commission says it is no longer needed.")}
PARTIES = ("Respublica", "Aq Zhol", "Auyl", "NSDP", "Baytaq", "People's Party")
QUEUE_TOPIC = {"opening": "polling_procedures", "voting": "voter_lists",
               "counting": "counting_protocols", "tabulation": "results_tabulation"}
QUEUE_NOTE = {"opening": "Opening procedures not followed; ask how PEC chairs were trained.",
              "voting": "Serious problems while voting; ask the CEC how such cases are checked.",
              "counting": "Counting did not follow the law; ask for the protocol and a review.",
              "tabulation": "Protocols corrected at the TEC; ask for the corrections."}


def generate_meetings(db: Database, rng: random.Random, count: int, *,
                          start: date = LTO_DEPLOYED, end: date = LAST_MEETING) -> dict:
    """Add ``count`` meeting reports between ``start`` and ``end``; return counts.

    Needs the demo's stations and users (at least one liaison or observer);
    links and queues the checklists with serious problems when there are any.
    """
    if db.conn.in_transaction:
        return _generate(db, rng, count, start, end)
    with writing(db):
        return _generate(db, rng, count, start, end)


def _generate(db: Database, rng: random.Random, count: int, start: date, end: date) -> dict:
    zones = {r.name: r.zone for r in REGIONS}
    commissions = {r.name: f"{r.commission} сайлау комиссиясы" for r in REGIONS}
    cities = {r.name: r.city for r in REGIONS}
    staff = [r[0] for r in db.execute("SELECT id FROM users WHERE role = 'liaison' ORDER BY id")]
    teams: dict[str, tuple[str, list[int]]] = {}
    for user_id, team, region in db.execute(
            "SELECT id, team, region FROM users WHERE role = 'observer' AND team IS NOT NULL"
            " ORDER BY id"):
        # The region's first team acts as its long-term observers.
        if teams.setdefault(region, (team, []))[0] == team:
            teams[region][1].append(user_id)
    if not staff and not teams:
        raise ValueError("create the demo's users first")
    serious = _serious_checklists(db)
    queued = _queue(db, rng, serious, staff)
    made = {"interactions": 0, "follow_ups": 0, "links": 0, "queued": len(queued)}
    span = max((end - start).days, 0)
    for _ in range(count):
        day = start + timedelta(days=rng.randint(0, span))
        cec = not teams or bool(staff) and rng.random() < 0.3
        region = "" if cec else rng.choice(sorted(teams))
        zone = CAPITAL_ZONE if cec else zones.get(region, CAPITAL_ZONE)
        level, name = ("cec", CEC) if cec else _commission(db, rng, region, commissions)
        author, team = (rng.choice(staff), meetings.LIAISON_TEAM) if cec else \
            (rng.choice(teams[region][1]), teams[region][0])
        topics = rng.sample(BEFORE if day < ELECTION_DAY else AFTER, rng.randint(1, 3))
        at = local_to_utc(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), zone)
        meeting = meetings.Meeting(
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), occurred_utc=to_iso(at),
            timezone=zone, place="Астана, ОСК ғимараты" if cec else cities.get(region, region),
            commission_level=level, commission_name=name, region=region,
            counterparts=_people(rng), participants="Liaison officer" if cec else
            "Long-term observers of team " + team, topics=topics,
            summary=" ".join(ITEMS[t][2] for t in topics), follow_ups=_items(rng, topics, day),
            links=_links(rng, serious, region, day, queued, cec))
        created = to_iso(at + timedelta(hours=rng.randint(2, 30)))
        entry_id = entries.insert(db, meetings.MEETINGS, meeting, author, team, created)
        _follow_up(db, rng, entry_id, day, end)
        made["interactions"] += 1
        made["follow_ups"] += len(meeting.follow_ups)
        made["links"] += len(meeting.links)
    made["overdue"] = db.execute("SELECT count(*) FROM follow_ups WHERE status = 'open'"
                                 " AND due_date < ?", [date.today().isoformat()]).fetchone()[0]
    return made


def _serious_checklists(db: Database) -> list[tuple[int, str, str, str]]:
    """(id, region, form type, arrival) of checklists with serious problems."""
    return [tuple(r) for r in db.execute(
        "SELECT c.id, s.region, c.form_type, c.arrival_utc FROM checklists c"
        " JOIN stations s ON s.id = c.station_id WHERE c.serious_count > 0 ORDER BY c.id")]


def _queue(db: Database, rng: random.Random, serious: list, staff: list[int]) -> set[int]:
    """The liaison queues up to 30 serious checklists, each under its form's topic."""
    if not staff or not serious:
        return set()
    picked = rng.sample(serious, min(30, len(serious)))
    db.conn.executemany(
        "INSERT OR IGNORE INTO liaison_queue (entry_kind, entry_id, topic, note, queued_by,"
        " queued_utc) VALUES ('checklist', ?, ?, ?, ?, ?)",
        [(c[0], QUEUE_TOPIC[c[2]], QUEUE_NOTE[c[2]], staff[0],
          to_iso(from_iso(c[3]) + timedelta(hours=6)))
         for c in picked])
    return {c[0] for c in picked}


def _commission(db: Database, rng: random.Random, region: str,
                commissions: dict[str, str]) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.65:
        return "territorial", commissions.get(region, f"{region} territorial commission")
    if roll < 0.85:
        return "district", f"№ {rng.randint(1, 29)} бір мандатты округтік сайлау комиссиясы"
    numbers = [r[0] for r in db.execute("SELECT number FROM stations WHERE region = ? LIMIT 50",
                                        [region])]
    return "precinct", f"№ {rng.choice(numbers or ['1'])} учаскелік сайлау комиссиясы"


def _people(rng: random.Random) -> list[dict]:
    return [{"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "position": position}
            for position in rng.sample(POSITIONS, rng.randint(1, 3))]


def _items(rng: random.Random, topics: list[str], day: date) -> list[meetings.FollowUp]:
    items = []
    for topic in topics:
        asked, promised, _summary = ITEMS[topic]
        for kind, texts in (("request", asked), ("commitment", promised)):
            for text in rng.sample(texts, rng.randint(0, len(texts))):
                due = day + timedelta(days=rng.randint(2, 10)) if rng.random() < 0.75 else None
                items.append(meetings.FollowUp(
                    kind, text.format(station=rng.randint(1, 700), party=rng.choice(PARTIES)),
                    due.isoformat() if due else None))
    return items


def _links(rng: random.Random, serious: list, region: str, day: date, queued: set[int],
           cec: bool) -> list[tuple[str, int]]:
    """After election day some meetings raise serious checklists: queued ones at the CEC."""
    if day <= ELECTION_DAY or rng.random() < 0.5:
        return []
    pool = [c[0] for c in serious if (c[0] in queued if cec else c[1] == region)]
    return [("checklist", i) for i in rng.sample(pool, min(len(pool), rng.randint(1, 3)))]


def _follow_up(db: Database, rng: random.Random, entry_id: int, day: date, end: date) -> None:
    """Most items got an answer or were closed; the rest stay open (overdue once due)."""
    for item_id, kind, due in db.execute(
            "SELECT id, kind, due_date FROM follow_ups WHERE interaction_id = ?", [entry_id]
    ).fetchall():
        roll = rng.random()
        if roll < 0.3:
            continue
        deadline = date.fromisoformat(due) if due else day + timedelta(days=7)
        answered = min(day + timedelta(days=rng.randint(1, max(1, (deadline - day).days + 4))),
                       max(end, day))
        db.execute("UPDATE follow_ups SET status = ?, answer_date = ?, answer_text = ?,"
                   " updated_utc = ? WHERE id = ?",
                   ["answered" if roll < 0.85 else "closed", answered.isoformat(),
                    rng.choice(ANSWERS[kind]), f"{answered.isoformat()}T10:00:00Z", item_id])
