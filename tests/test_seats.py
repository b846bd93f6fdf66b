"""Seats: the pure arithmetic (threshold, Hare largest remainder, plurality) and the CLI."""

import json
from fractions import Fraction

import pytest

from models import seats
from models.contests import votes as contest_votes
from models.db import writing

# The CEC's 2023 shares as votes per 10,000 valid votes.
SHARES_2023 = {"amanat": 5390, "auyl": 1090, "respublica": 859, "aq_zhol": 841,
               "peoples_party": 680, "nsdp": 520, "baytaq": 230}
AGAINST_ALL_2023 = 390
OUTCOME_2023 = {"amanat": 40, "auyl": 8, "respublica": 6, "aq_zhol": 6, "peoples_party": 5,
                "nsdp": 4, "baytaq": 0}


def test_the_2023_official_shares_give_the_official_seats():
    outcome = seats.allocate_list(SHARES_2023, 69, 5, AGAINST_ALL_2023)
    assert outcome.seats == OUTCOME_2023
    assert outcome.passed == ("amanat", "auyl", "respublica", "aq_zhol", "peoples_party", "nsdp")
    assert outcome.base == 10_000 and outcome.quota == Fraction(9380, 69)
    assert outcome.shares["nsdp"] == Fraction(520, 10_000) and not outcome.undecided


def test_the_threshold_base_decides_who_passes():
    # 4.9% of the valid votes with "against all", 5.04% of party votes alone.
    votes = {"big": 9230, "small": 490}
    assert seats.allocate_list(votes, 10, 5, 280).passed == ("big",)
    assert seats.allocate_list(votes, 10, 5, 280, base="party_votes").passed == ("big", "small")


@pytest.mark.parametrize("votes, seat_count, against_all, expected, undecided", [
    # exactly at the threshold passes
    ({"a": 95, "b": 5}, 10, 0, {"a": 10, "b": 0}, ()),
    ({"a": 94, "b": 5}, 10, 1, {"a": 9, "b": 1}, ()),
    # nobody passes: no seats at all
    ({"a": 4, "b": 4}, 10, 92, {"a": 0, "b": 0}, ()),
    ({"a": 0, "b": 0}, 10, 0, {"a": 0, "b": 0}, ()),
    ({}, 10, 50, {}, ()),
    # one party passes: every seat
    ({"a": 60, "b": 3}, 7, 37, {"a": 7, "b": 0}, ()),
    # equal remainders: the larger vote total takes the seat
    ({"a": 47, "b": 27, "c": 26}, 5, 0, {"a": 3, "b": 1, "c": 1}, ()),
    ({"b": 27, "a": 47, "c": 26}, 5, 0, {"a": 3, "b": 1, "c": 1}, ()),
    # a remainder beats a larger vote total
    ({"a": 70, "b": 30}, 3, 0, {"a": 2, "b": 1}, ()),
    # equal remainders and equal votes for the last seat: undecided (lot)
    ({"a": 50, "b": 25, "c": 25}, 2, 0, {"a": 1, "b": 0, "c": 0}, ("b", "c")),
    ({"a": 50, "b": 25, "c": 25}, 3, 0, {"a": 1, "b": 1, "c": 1}, ()),
    ({"a": 1, "b": 1}, 1, 0, {"a": 0, "b": 0}, ("a", "b")),
    # equal votes, two seats left for two parties: both get one, nothing undecided
    ({"a": 1, "b": 1}, 2, 0, {"a": 1, "b": 1}, ()),
    # zero seats
    ({"a": 10}, 0, 0, {"a": 0}, ()),
])
def test_edge_cases(votes, seat_count, against_all, expected, undecided):
    outcome = seats.allocate_list(votes, seat_count, 5, against_all)
    assert outcome.seats == expected
    assert outcome.undecided == undecided
    assert sum(outcome.seats.values()) + outcome.undecided_seats == (
        seat_count if outcome.passed else 0)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        seats.allocate_list({"a": -1}, 5, 5)
    with pytest.raises(ValueError):
        seats.allocate_list({"a": 1}, 5, 5, base="turnout")


@pytest.mark.parametrize("votes, winner", [
    ({"x": 10, "y": 9}, "x"),
    ({"x": 10, "y": 10}, None),
    ({"x": 0, "y": 0}, None),
    ({}, None),
    ({"x": 1}, "x"),
])
def test_district_winner_by_plurality(votes, winner):
    assert seats.district_winner(votes) == winner


# --- the CLI --------------------------------------------------------------------------

@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _official(db, rows, source="CEC decision of 27 March"):
    with writing(db):
        db.conn.executemany(
            "INSERT INTO official_results (level, unit, contest, item, value, source,"
            " imported_utc) VALUES (?, ?, ?, ?, ?, ?, '2023-03-27T12:00:00Z')",
            [(*row, source) for row in rows])


def _national():
    return [("national", "", "list", code, value, ) for code, value in
            [*SHARES_2023.items(), ("against_all", AGAINST_ALL_2023), ("valid", 10_000)]]


def test_results_seats_json_from_official_figures(runner, db):
    _official(db, [*_national(),
                   ("district", "1", "smd", "d01_a", 300), ("district", "1", "smd", "d01_b", 200),
                   ("district", "1", "smd", "against_all", 900),
                   ("district", "2", "smd", "d02_a", 5), ("district", "2", "smd", "d02_b", 5)])
    result = runner.invoke(args=["results", "seats", "--source", "official", "--json"])
    assert result.exit_code == 0, result.output
    # "Against all" never wins; a tie for first gives no winner.
    assert json.loads(result.output) == {"list": OUTCOME_2023, "districts": {"1": "d01_a"}}


def test_results_seats_text_names_the_rule_and_the_source(runner, db):
    _official(db, _national())
    result = runner.invoke(args=["results", "seats"])
    assert result.exit_code == 0, result.output
    assert "threshold 5% of valid votes" in result.output
    assert "Baytaq" in result.output and "(below the threshold)" in result.output
    assert "national figures of CEC decision of 27 March" in result.output


def test_lower_levels_are_summed_and_stations_count_for_their_district(runner, db):
    _official(db, [("region", "Astana", "list", "amanat", 600),
                   ("region", "Aktobe", "list", "auyl", 400),
                   ("station", "202", "smd", "d10_a", 7), ("station", "202", "smd", "d10_b", 3)])
    db.execute("UPDATE stations SET smd_district = 10 WHERE number = '202'")
    db.conn.commit()
    found = contest_votes.official(db)
    assert found.party_list == {"amanat": 600, "auyl": 400}
    assert found.districts == {10: {"d10_a": 7, "d10_b": 3}}
    assert "summed over 2 units" in found.notes[0]
    result = runner.invoke(args=["results", "seats", "--json"])
    assert json.loads(result.output) == {
        "list": {**dict.fromkeys(SHARES_2023, 0), "amanat": 41, "auyl": 28},
        "districts": {"10": "d10_a"}}


def test_two_official_sources_need_a_choice(runner, db):
    _official(db, _national())
    _official(db, _national()[:2], source="preliminary")
    result = runner.invoke(args=["results", "seats"])
    assert result.exit_code != 0 and "choose one" in result.output
    chosen = runner.invoke(args=["results", "seats", "--json",
                                 "--official-source", "CEC decision of 27 March"])
    assert json.loads(chosen.output)["list"] == OUTCOME_2023


def test_every_party_is_in_the_json_even_with_no_votes(runner):
    result = runner.invoke(args=["results", "seats", "--json"])
    assert json.loads(result.output) == {"list": dict.fromkeys(SHARES_2023, 0), "districts": {}}


def test_observed_source_says_there_are_no_protocols_yet(runner, db):
    assert contest_votes.observed(db).notes == ["no observed protocols yet"]
    result = runner.invoke(args=["results", "seats", "--source", "observed"])
    assert result.exit_code == 0 and "no observed protocols yet" in result.output
