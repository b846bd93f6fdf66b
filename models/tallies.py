"""Answer tallies: every yes/no answer of every checklist, counted as it is saved.

The summary's indicators ("yes to ballot-box stuffing in 12 of 1,201
observations") used to unpack the answers of every checklist in the selection:
~200 ms at 50,000 checklists. ``answer_tallies`` holds the same counts per
checklist type, review state, region, arrival hour (UTC) and question, so the
report sums a few thousand rows instead (bench/report.py).

SQLite triggers (migration m013) keep the table right in the same transaction
as every write that changes what counts: a checklist created, edited, moved
through review (rejected ones are left out by the report's filter, as they are
from every count), deleted, or its station moved to another region. No code
path can forget them. ``rebuild`` recounts from the checklists
(``flask --app app report tallies --rebuild``) and ``differences`` says where
the table and a recount disagree (``--check``; the tests).
"""

from sqlite_utils import Database

from models.db import writing

# The arrival hour, as stored UTC text: filters by local day select whole hours
# in every zone with a whole-hour offset (all of Kazakhstan's, then and now).
HOUR = "substr({arrival}, 1, 13) || ':00:00Z'"
KEY = ("form_type", "review_state", "region", "arrival_utc", "question")

# The ground truth: the tallies recounted from the checklists themselves.
RECOUNT_SQL = (
    "SELECT c.form_type, c.review_state, s.region,"
    f" {HOUR.format(arrival='c.arrival_utc')} AS arrival_utc, j.key AS question,"
    " sum(j.value = 'yes') AS yes, sum(j.value = 'no') AS no"
    " FROM checklists c JOIN stations s ON s.id = c.station_id, json_each(c.answers) j"
    " WHERE j.value IN ('yes', 'no')"
    " GROUP BY c.form_type, c.review_state, s.region, 4, j.key")


def rebuild(db: Database) -> int:
    """Recount every tally from the checklists, in one write transaction; the rows written."""
    with writing(db):
        return refill(db)


def refill(db: Database) -> int:
    """Empty and refill the table; the caller holds the transaction (migration m013)."""
    db.execute("DELETE FROM answer_tallies")
    db.execute(f"INSERT INTO answer_tallies ({', '.join(KEY)}, yes, no) {RECOUNT_SQL}")
    return db.execute("SELECT count(*) FROM answer_tallies").fetchone()[0]


def differences(db: Database) -> list[tuple]:
    """(key..., kept yes, kept no, counted yes, counted no) wherever the table and a recount
    disagree; empty when the tallies are right. Rows of zeros count as absent."""
    keys = ", ".join(KEY)
    kept = f"SELECT {keys}, yes, no FROM answer_tallies WHERE yes != 0 OR no != 0"
    sql = (f"WITH kept AS ({kept}), counted AS ({RECOUNT_SQL})"
           f" SELECT {keys}, k.yes, k.no, c.yes, c.no FROM kept k"
           f" LEFT JOIN counted c USING ({keys})"
           " WHERE c.yes IS NOT k.yes OR c.no IS NOT k.no"
           f" UNION ALL SELECT {keys}, NULL, NULL, c.yes, c.no FROM counted c"
           f" WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE "
           + " AND ".join(f"k.{name} = c.{name}" for name in KEY) + ")")
    return [tuple(row) for row in db.execute(sql).fetchall()]
