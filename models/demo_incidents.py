"""Plausible incident reports for the demo mission (Kazakhstan, 19 March 2023).

Mostly low and medium (campaign material left in the station, police inside),
a few high and critical (ballot-box stuffing, carousel voting, violence), in
Russian, Kazakh and English as observers write them. Everything is drawn from
the caller's seeded ``random.Random``: the same seed gives the same reports.
"""

import random
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import date, time, timedelta

from sqlite_utils import Database

from models import entries, incidents, vocabulary
from models.clock import local_to_utc, to_iso
from models.db import writing

ELECTION_DAY = date(2023, 3, 19)
# How often each category is reported (relative weights).
CATEGORY_WEIGHTS = {"campaign_in_station": 18, "unauthorized_persons": 20,
                    "observers_obstructed": 16, "intimidation": 9,
                    "carousel_multiple_voting": 7, "ballot_box_stuffing": 6, "vote_buying": 5,
                    "violence": 2, "other": 17}
# Severity weights (low, medium, high, critical) per category: about 80% of all
# reports come out low or medium, under 5% critical.
SEVERITY_WEIGHTS = {"campaign_in_station": (60, 33, 6, 1), "unauthorized_persons": (55, 35, 9, 1),
                    "observers_obstructed": (35, 45, 17, 3), "intimidation": (30, 40, 22, 8),
                    "carousel_multiple_voting": (15, 40, 35, 10),
                    "ballot_box_stuffing": (5, 30, 45, 20), "vote_buying": (20, 45, 28, 7),
                    "violence": (5, 25, 45, 25), "other": (65, 30, 4, 1)}
AT_STATION = 0.8
BEFORE_ELECTION_DAY = 0.1  # long-term observers report from the campaign too
REPORTED_AT_STATION, REPORTED_ELSEWHERE = 0.55, 0.15
DESCRIPTIONS = {
    "campaign_in_station": (
        "Агитационные листовки партии лежали на столе у входа в помещение для голосования.",
        "Сайлау учаскесінің кіреберісінде партия плакаты ілулі тұрды.",
        "A campaign poster of a candidate hung in the corridor leading to the voting room.",
        "Voters were handed calendars with a party logo by a person at the door."),
    "unauthorized_persons": (
        "В помещении постоянно находился сотрудник акимата, давал указания членам УИК.",
        "Two police officers stayed inside the voting room for about forty minutes.",
        "Учаскеде мектеп директоры болды, комиссия мүшелеріне нұсқау берді.",
        "A man who introduced himself as from the district administration watched voters."),
    "observers_obstructed": (
        "Председатель УИК не разрешил наблюдателям подойти к столу выдачи бюллетеней.",
        "We were kept behind a rope five metres from the table and could not see the lists.",
        "Бақылаушыларға сайлаушылар тізімін көруге рұқсат берілмеді.",
        "The chairperson asked us to leave during the count; we left after a police request."),
    "intimidation": (
        "Работникам бюджетных организаций велели сфотографировать заполненный бюллетень.",
        "A group of voters said their employer would check whether they had voted.",
        "Сайлаушыларға кімге дауыс беру керектігін айтып, қорқытқан.",
        "Students were brought by bus and told their dormitory places depended on turnout."),
    "carousel_multiple_voting": (
        "Одни и те же люди приезжали на автобусе на два участка подряд.",
        "The same young woman voted at this station and an hour later at station next door.",
        "Бір адам екі рет дауыс берді, тізімде басқа адамның атына қол қойды.",
        "Several voters arrived with pre-marked ballots and came out with blank ones."),
    "ballot_box_stuffing": (
        "Член УИК опустил в урну пачку бюллетеней, когда в помещении не было избирателей.",
        "We saw a bundle of folded ballots put in the box by a commission member at 19:40.",
        "Комиссия мүшесі жәшікке бірнеше бюллетень салды.",
        "At the count the box held about 80 more ballots than signatures on the list."),
    "vote_buying": (
        "У входа раздавали продуктовые наборы тем, кто покажет фото бюллетеня.",
        "Voters reported being offered 5,000 tenge to vote and photograph the ballot.",
        "Дауыс бергендерге ақша үлестірілгені туралы сайлаушылар айтты."),
    "violence": (
        "Наблюдателя от партии вытолкнули из помещения, разбили телефон.",
        "A domestic observer was pushed out of the station and his phone was taken.",
        "Учаске алдында төбелес болды, полиция шақырылды."),
    "other": (
        "Свет отключался дважды, подсчёт продолжали при фонарях.",
        "The mobile box left with 40 ballots but the list showed only 12 requests.",
        "Учаске екінші қабатта, пандус жоқ; мүгедектігі бар сайлаушылар кіре алмады.",
        "The protocol copy was not posted at the entrance after the count."),
}
RESPONSES = (
    "Председатель УИК принял жалобу, ответа не дал.",
    "Комиссия удалила посторонних из помещения.",
    "The chairperson removed the material after we pointed it out.",
    "The PEC registered the complaint but said no irregularity had taken place.",
    "Комиссия шағымды тіркеді, аудандық комиссияға жіберді.",
    "No action; the chairperson said it was not the commission's business.",
)
PLACES = ("Outside the entrance", "У входа на участок", "Школа ауласы", "Bus stop opposite",
          "Акимат, центральная площадь", "District commission building")


def generate_incidents(db: Database, rng: random.Random, count: int,
                       stations_by_region: Mapping[str, list[dict]],
                       observers_by_team: Mapping[str, dict]) -> int:
    """Insert ``count`` incident reports with their first versions; return how many.

    ``stations_by_region``: region → its stations, each a dict with at least
    ``id`` and ``timezone``. ``observers_by_team``: team name → a dict with its
    ``region`` and ``members`` (user ids), as models.demo builds its teams.
    Joins the caller's write transaction when there is one.
    """
    teams = [(name, team) for name, team in observers_by_team.items()
             if team["members"] and stations_by_region.get(team["region"])]
    if count <= 0 or not teams:
        return 0
    zones = {region: Counter(s["timezone"] for s in rows).most_common(1)[0][0]
             for region, rows in stations_by_region.items() if rows}
    drawn = sorted((_draw(rng, name, team, stations_by_region[team["region"]],
                          zones[team["region"]]) for name, team in
                    (rng.choice(teams) for _ in range(count))), key=lambda d: d[0])
    if db.conn.in_transaction:
        _insert(db, drawn)
    else:
        with writing(db):
            _insert(db, drawn)
    return len(drawn)


def _draw(rng: random.Random, team_name: str, team: dict, stations: list[dict],
          region_zone: str) -> tuple[str, incidents.Report, str, int]:
    """One report as (created_utc, report, team, author id)."""
    category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
    severity = rng.choices(vocabulary.SEVERITIES, SEVERITY_WEIGHTS[category])[0]
    station = rng.choice(stations) if rng.random() < AT_STATION else None
    zone = station["timezone"] if station else region_zone
    if rng.random() < BEFORE_ELECTION_DAY:
        day, minutes = ELECTION_DAY - timedelta(days=rng.randint(1, 14)), rng.randint(540, 1200)
    elif rng.random() < 0.85:  # polls open 07:00-20:00
        day, minutes = ELECTION_DAY, rng.randint(420, 1200)
    else:  # then the count, into the small hours
        day, minutes = ELECTION_DAY, rng.randint(1200, 1560)
    day += timedelta(days=minutes // 1440)
    occurred = local_to_utc(day, time(minutes % 1440 // 60, minutes % 60), zone)
    reported = rng.random() < (REPORTED_AT_STATION if station else REPORTED_ELSEWHERE)
    report = incidents.Report(
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        station_id=station["id"] if station else None, region=team["region"],
        place="" if station and rng.random() < 0.7 else rng.choice(PLACES),
        occurred_utc=to_iso(occurred), timezone=zone, category=category, severity=severity,
        description=rng.choice(DESCRIPTIONS[category]),
        reported_to_commission="yes" if reported else "no",
        commission_response=rng.choice(RESPONSES) if reported else "")
    # Filed a few minutes to an hour and a half after it happened.
    created = to_iso(occurred + timedelta(seconds=rng.randint(120, 5400)))
    return created, report, team_name, rng.choice(team["members"])


def _insert(db: Database, drawn: list) -> None:
    first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM incidents").fetchone()[0]
    entries.insert_many(db, incidents.INCIDENTS, [
        (entry_id, created, report, team_name, author_id)
        for entry_id, (created, report, team_name, author_id) in enumerate(drawn, first_id)])
