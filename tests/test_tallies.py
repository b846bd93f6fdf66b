"""Answer tallies (models/tallies.py): kept equal to a recount by every write that counts.

Real checklists through the entry life cycle (create, edit, review), a station
moved to another region, a deletion; after each, the table equals a recount
and the summary's indicators read from it equal those recounted from the answers.
"""

import uuid

import pytest

from models import checklists, definitions, entries, migrations, review, tallies, users
from reports import filters
from reports import summary_queries as queries
from tests.conftest import good_answers, station_id
from views.cli_reports import report

REGIONS = ["Aktobe", "Almaty", "Astana"]


def _uid(db, name: str) -> int:
    return users.find_by_username(db, name)["id"]


def _filing(db, form_type: str, station: str, arrival: str, entry_uuid: str | None = None,
            **answers) -> checklists.Filing:
    definition = definitions.get(form_type)
    values = {**good_answers(definition), **answers}
    values = {k: int(v) if definition.questions.get(k) and definition.questions[k].type ==
              "integer" else v for k, v in values.items()}
    return checklists.Filing(
        uuid=entry_uuid or str(uuid.uuid4()), form_type=form_type,
        form_version=definition.version, station_id=station_id(db, station),
        timezone="Asia/Almaty", arrival_utc=arrival, departure_utc=arrival.replace(":00Z", ":30Z"),
        answers=values, overall="good", serious_count=len(definition.serious_problems(values)))


def _agree(db) -> None:
    """The tallies equal a recount, and every filter's indicators read from them equal
    the indicators recounted from the answers."""
    assert tallies.differences(db) == []
    for args in ({}, {"verified_only": "1"}, {"region": ["Almaty"]},
                 {"from": "2023-03-19", "to": "2023-03-19"}, {"to": "2023-03-18"}):
        flt = filters.parse(args, REGIONS, "Asia/Almaty")
        for definition in definitions.by_type().values():
            assert queries.answer_counts(db, flt, definition) == \
                queries.answer_counts_recounted(db, flt, definition), (args, definition.type)


@pytest.fixture
def filed(app, db):
    """Three voting checklists: two in Almaty (one the evening before, local), one in Aktobe."""
    obs = _uid(db, "obs1")
    made = {}
    for name, station, arrival, answers in [
            ("a", "101", "2023-03-19T04:00:00Z", {"overcrowded": "yes"}),
            ("b", "101", "2023-03-18T17:59:00Z", {}),
            ("c", "202", "2023-03-19T08:20:00Z", {"ballot_box_stuffing": "yes"})]:
        filing = _filing(db, "voting", station, arrival, **answers)
        made[name] = (entries.create(db, checklists.CHECKLISTS, filing, obs, "T01")[0], filing)
    return made


def test_tallies_follow_creates_edits_reviews_moves_and_deletes(app, db, filed):
    _agree(db)
    counts = queries.answer_counts(db, filters.parse({}, REGIONS, "Asia/Almaty"),
                                   definitions.get("voting"))
    assert counts["overcrowded"]["yes"] == 1 and counts["ballot_box_stuffing"]["yes"] == 1
    # An edit that changes answers moves them from one tally to another.
    entry_id, filing = filed["a"]
    edited = _filing(db, "voting", "101", "2023-03-19T04:00:00Z", filing.uuid,
                     overcrowded="no", ballot_box_stuffing="yes")
    assert entries.edit(db, checklists.CHECKLISTS, entry_id, 1, edited, _uid(db, "obs2"))
    _agree(db)
    # Review moves change what counts: verified only, rejected never.
    coord = _uid(db, "coord")
    review.move(db, "checklist", filed["c"][0], "verified", coord)
    _agree(db)
    review.move(db, "checklist", entry_id, "rejected", coord, "duplicate visit")
    _agree(db)
    assert queries.answer_counts(db, filters.parse({}, REGIONS, "Asia/Almaty"),
                                 definitions.get("voting"))["ballot_box_stuffing"]["yes"] == 1
    review.move(db, "checklist", entry_id, "submitted", coord)
    _agree(db)
    # A station moved to another region by a registry re-import takes its checklists along.
    db.execute("UPDATE stations SET region = 'Astana' WHERE number = '101'")
    db.conn.commit()
    _agree(db)
    db.execute("DELETE FROM flags")
    db.execute("DELETE FROM checklists WHERE id = ?", [filed["b"][0]])
    db.conn.commit()
    _agree(db)


def test_a_failed_save_leaves_the_tallies_as_they_were(app, db, filed):
    entry_id, filing = filed["a"]
    # A stale edit is refused inside its transaction: nothing of it is counted.
    stale = _filing(db, "voting", "101", "2023-03-19T04:00:00Z", filing.uuid,
                    overcrowded="no")
    with pytest.raises(entries.StaleEdit):
        entries.edit(db, checklists.CHECKLISTS, entry_id, 7, stale, _uid(db, "obs1"))
    _agree(db)


def test_report_tallies_checks_and_rebuilds(app, db, filed):
    runner = app.test_cli_runner()
    assert runner.invoke(report, ["tallies"]).exit_code == 0
    db.execute("UPDATE answer_tallies SET yes = yes + 5 WHERE question = 'overcrowded'")
    db.conn.commit()
    result = runner.invoke(report, ["tallies"])
    assert result.exit_code == 1 and "--rebuild" in result.output
    result = runner.invoke(report, ["tallies", "--rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    _agree(db)


def test_the_migration_counts_the_checklists_already_filed(app, db, filed):
    # As before m013: no table, no triggers, and not recorded as applied.
    for trigger in ("insert", "delete", "update", "station_region"):
        db.execute(f"DROP TRIGGER answer_tallies_{trigger}")
    db.execute("DROP TABLE answer_tallies")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm013_answer_tallies'")
    db.conn.commit()
    migrations.migrate(db)
    assert db.execute("SELECT sum(yes) + sum(no) FROM answer_tallies").fetchone()[0] > 0
    _agree(db)
