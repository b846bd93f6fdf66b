"""Station search: folded letters and Latin, the observer's region first, "more" hint, index."""

import pytest

from models import stations, users
from tests.conftest import PASSWORD, station_id
from tests.test_incidents import _file as _file_incident

# Fifty schools in Abai (numbers before Shymkent's), three in Shymkent, and the
# places of the examples.
REGISTRY = [
    *((f"0{n:02d}", f"Мектеп № {n}", "Abai", "Семей") for n in range(1, 51)),
    *((f"9{n:02d}", f"Мектеп-гимназия № {n}", "Shymkent", "Абай ауданы") for n in range(1, 4)),
    ("701", "Ақсай ауылының мектебі", "West Kazakhstan", "Бөрлі"),
    ("702", "Талдыбұлақ бастауыш мектебі", "Almaty Region", "Талғар"),
    ("703", "Дом культуры", "Abai", "Семей қаласы"),
]


def _station(number, name, region, district) -> dict:
    return {"number": number, "name": name, "address": "", "region": region,
            "district": district, "timezone": "Asia/Almaty", "registered_voters": 900,
            "latitude": None, "longitude": None,
            "search_text": stations.search_text(number, name, "", district)}


@pytest.fixture
def registry(app, db):
    stations.upsert(db, [_station(*row) for row in REGISTRY])
    users.create_user(db, "shym1", PASSWORD, "observer", "T09", "Shymkent")
    return db


@pytest.mark.parametrize("typed, stored", [
    ("аксай", "Ақсай"),
    ("талдыбулак", "Талдыбұлақ"),
    ("Semey", "Семей"),
    ("SEMEY", "семей"),
    ("oskemen", "Өскемен"),
    ("Öskemen", "Өскемен"),
    ("shymkent", "Шымкент"),
    ("Qaragandy", "Қарағанды"),
    ("Aqsai", "Ақсай"),
    ("Almaty", "Алматы"),
    ("Kyzylorda", "Қызылорда"),
    ("Baikonyr", "Байқоңыр"),
    ("zhetisu", "Жетісу"),
    ("Jetisu", "Жетісу"),
    ("ekibastuz", "Екібастұз"),
    ("ust-kamenogorsk", "Усть-Каменогорск"),
    ("khromtau", "Хромтау"),
    ("Shoqan", "Шоқан"),
    ("әғқңөұүһі", "агкноуухи"),
])
def test_typed_and_stored_fold_to_one_key(typed, stored):
    assert stations.fold(typed) == stations.fold(stored)


@pytest.mark.parametrize("typed, stored", [
    ("семей", "Семипалатинск"),
    ("мектеп 5", "Мектеп № 6"),
])
def test_different_names_stay_different(typed, stored):
    assert stations.fold(typed) not in stations.fold(stored)


@pytest.mark.parametrize("query, expected", [
    ("аксай", ["701"]),
    ("АКСАЙ", ["701"]),
    ("aksay", ["701"]),
    ("Aqsai", ["701"]),
    ("талдыбулак", ["702"]),
    ("taldybulak", ["702"]),
    ("Semey қаласы", ["703"]),
    ("мектеп-гимназия 2", ["902"]),
    ("902", ["902"]),
    ("дом", ["303", "703"]),
    ("\"", []),
    ("%", []),
])
def test_search_folds_the_query_and_the_names(registry, query, expected):
    assert [s["number"] for s in stations.search(registry, query).stations] == expected


@pytest.mark.parametrize("prefer, first", [
    ("Shymkent", ["901", "902", "903", "001"]),
    (None, ["001", "002", "003", "004"]),
    ("Atlantis", ["001", "002", "003", "004"]),
])
def test_the_preferred_region_comes_first(registry, prefer, first):
    found = stations.search(registry, "мектеп", prefer=prefer)
    assert [s["number"] for s in found.stations[:4]] == first
    # 50 + 3 schools and Taldybulaq's (Aqsai's is a "мектебі"): 53 match, 30 shown.
    assert (len(found.stations), found.total, found.more) == (30, 53, 23)


def test_the_exact_number_comes_before_the_own_region(registry):
    found = stations.search(registry, "701", prefer="Shymkent")
    assert [s["number"] for s in found.stations] == ["701"]


def test_a_region_filter_keeps_only_that_region(registry):
    found = stations.search(registry, "мектеп", region="Shymkent")
    assert ([s["number"] for s in found.stations], found.more) == (["901", "902", "903"], 0)


def test_the_trigram_index_answers_long_words(registry):
    plan = " ".join(str(r[-1]) for r in registry.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM stations_search WHERE stations_search MATCH ?",
        ['"mektep"']))
    assert "VIRTUAL TABLE INDEX" in plan


def test_the_index_follows_reimports(registry):
    stations.upsert(registry, [_station("701", "Жаңа мектеп", "West Kazakhstan", "Бөрлі")])
    assert stations.search(registry, "аксай").stations == []
    assert [s["number"] for s in stations.search(registry, "жана").stations] == ["701"]
    registry.execute("DELETE FROM stations WHERE number = '702'")
    assert stations.search(registry, "талдыбулак").stations == []


def test_the_picker_lists_the_observers_region_first_and_says_how_many_more(registry, browser):
    browser.login("shym1")
    page = browser.client.get("/checklists/voting/station?q=мектеп")
    assert page.status_code == 200
    text = page.text
    assert text.index("Мектеп-гимназия № 1") < text.index("Мектеп № 1<")
    assert "23 more match: type more of the name or the number." in text
    assert "Stations in Shymkent come first." in text


def test_the_picker_says_nothing_more_when_everything_is_shown(registry, browser):
    browser.login("shym1")
    page = browser.client.get("/checklists/voting/station?q=talaldybulak")
    assert "more match" not in page.text
    page = browser.client.get("/checklists/voting/station?q=taldybulak")
    assert "Талдыбұлақ" in page.text and "more match" not in page.text


def test_the_api_search_ranks_and_counts_too(registry, browser):
    browser.login("shym1")
    body = browser.client.get("/api/v1/stations?q=мектеп").get_json()
    assert [s["number"] for s in body["stations"][:3]] == ["901", "902", "903"]
    assert (len(body["stations"]), body["total"], body["more"]) == (30, 53, 23)
    body = browser.client.get("/api/v1/stations?q=mektep&limit=5").get_json()
    assert (len(body["stations"]), body["more"]) == (5, 48)
    # The offline list of a region keeps its shape: stations only.
    assert set(browser.client.get("/api/v1/stations?region=mine").get_json()) == {"stations"}


def test_the_incident_form_finds_a_station_typed_without_kazakh_letters(registry, browser):
    browser.login("shym1")
    _data, response = _file_incident(browser, station_number="aksay")
    assert response.status_code == 303
    row = registry.execute("SELECT station_id FROM incidents").fetchone()
    assert row == (station_id(registry, "701"),)
