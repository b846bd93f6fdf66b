"""Named schema migrations, applied in order and recorded in _sqlite_migrations.

Never drop or recreate a table that holds observers' data: add a new
migration that alters it in place. The one exception is a change SQLite cannot
make in place (a CHECK constraint): then the migration rebuilds the table and
copies every row in its own transaction, and checks the count (see m009).
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from models.migrations import accounts, control, derived, entries, results

migrations = Migrations("observation")

# Every migration in the order it is applied (and recorded in _sqlite_migrations):
# a new one goes at the end, under a new number. The modules group them by what
# they hold; this list alone says when each runs.
STEPS = (
    entries.m001_wal,
    entries.m002_users_and_stations,
    entries.m003_checklists,
    entries.m004_incidents_and_interactions,
    entries.m005_review,
    accounts.m006_audit_log,
    derived.m007_dashboard_indexes,
    accounts.m008_api_tokens,
    entries.m009_one_versions_table,
    accounts.m010_session_version,
    results.m011_photos,
    derived.m012_station_search_index,
    derived.m013_answer_tallies,
    results.m014_contests,
    results.m016_protocols_and_turnout,
    accounts.m017_user_language,
    control.m018_teams_and_plans,
    control.m019_checkins_and_calls,
    control.m020_team_messages,
    control.m022_control_room_indexes,
)
NAMES = tuple(step.__name__ for step in STEPS)

for _step in STEPS:
    # WAL mode cannot be switched inside a transaction.
    migrations(transactional=_step is not entries.m001_wal)(_step)


def migrate(db: Database) -> None:
    """Apply pending migrations."""
    migrations.apply(db)
