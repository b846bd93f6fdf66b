"""The election-day control room: teams' areas and plans, check-ins, calls, messages."""

from sqlite_utils import Database


def m018_teams_and_plans(db: Database) -> None:
    # A team is the name in users.team; this row adds what the control room
    # needs to know of it: its area of responsibility and how to call it.
    db.execute("""
        CREATE TABLE teams (
            team TEXT PRIMARY KEY,
            -- the area: a region of the registry, and optionally some of its
            -- districts (a JSON list; empty: the whole region)
            region TEXT,
            districts TEXT NOT NULL DEFAULT '[]',
            -- the members' phone numbers as typed ("+7 701 123 4567, +7 777 ..."),
            -- shown one tap away (tel: links) in the control room
            phones TEXT NOT NULL DEFAULT ''
        )""")
    # The deployment plan: the stations a team is to visit on a day, in order,
    # with what it is to file there (opening at the opening station, counting
    # at the count station, tabulation at the territorial commission).
    db.execute("""
        CREATE TABLE plan_visits (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            day TEXT NOT NULL,                -- YYYY-MM-DD, local to the station
            position INTEGER NOT NULL,        -- 1, 2, ... the order of the day
            station_id INTEGER NOT NULL REFERENCES stations (id),
            purpose TEXT NOT NULL
                CHECK (purpose IN ('opening', 'voting', 'counting', 'tabulation')),
            planned_time TEXT,                -- HH:MM local, optional
            UNIQUE (team, day, position)
        )""")
    db.execute("CREATE INDEX plan_visits_station ON plan_visits (station_id, day)")
    db.execute("CREATE INDEX plan_visits_day ON plan_visits (day, team)")


def m019_checkins_and_calls(db: Database) -> None:
    # An observer's sign of life without a checklist ("arrived at No. 123",
    # "leaving", "safe, no signal for a while"); made on the phone with its own
    # uuid and sent through the outbox like an entry, so a resend is one row.
    db.execute("""
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            team TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users (id),
            kind TEXT NOT NULL CHECK (kind IN ('arrived', 'leaving', 'safe')),
            station_id INTEGER REFERENCES stations (id),
            note TEXT NOT NULL DEFAULT '',
            occurred_utc TEXT NOT NULL,
            timezone TEXT NOT NULL,
            created_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX checkins_team ON checkins (team, occurred_utc)")
    # The control room's log of calls to a team ("called 14:05, no answer"),
    # kept open as a follow-up until someone marks it done.
    db.execute("""
        CREATE TABLE team_calls (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            caller_id INTEGER NOT NULL REFERENCES users (id),
            called_utc TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'left_message')),
            note TEXT NOT NULL DEFAULT '',
            follow_up_open INTEGER NOT NULL DEFAULT 0 CHECK (follow_up_open IN (0, 1)),
            closed_utc TEXT
        )""")
    db.execute("CREATE INDEX team_calls_team ON team_calls (team, called_utc)")


def m020_team_messages(db: Database) -> None:
    # Coordinators' messages to all teams, a region's or one team; each observer
    # confirms reading (message_reads), and the control room shows who has not.
    db.execute("""
        CREATE TABLE team_messages (
            id INTEGER PRIMARY KEY,
            author_id INTEGER NOT NULL REFERENCES users (id),
            audience TEXT NOT NULL CHECK (audience IN ('all', 'region', 'team')),
            target TEXT,                      -- the region or the team; NULL for all
            body TEXT NOT NULL,
            sent_utc TEXT NOT NULL,
            -- the gateway's answer (MESSAGE_WEBHOOK_URL): NULL when none is set
            webhook_status TEXT
        )""")
    db.execute("CREATE INDEX team_messages_sent ON team_messages (sent_utc)")
    db.execute("""
        CREATE TABLE message_reads (
            message_id INTEGER NOT NULL REFERENCES team_messages (id),
            user_id INTEGER NOT NULL REFERENCES users (id),
            read_utc TEXT NOT NULL,
            PRIMARY KEY (message_id, user_id)
        )""")


def m022_control_room_indexes(db: Database) -> None:
    # The control room reads the day's checklists (arrival in the station's
    # local day) grouped by team, station and type, and asks whether a planned
    # visit was made (this team, station, type, that day): covering, so both
    # come from the index alone, in its order, at 50,000 checklists.
    db.execute("CREATE INDEX checklists_team_day ON checklists"
               " (team, station_id, form_type, arrival_utc, timezone)")
    # A team's last contact is the newest of its entries and check-ins: the
    # meetings had no index by team (checklists and incidents have one).
    db.execute("CREATE INDEX interactions_team ON interactions (team, created_utc)")
    db.execute("CREATE INDEX team_calls_open ON team_calls (follow_up_open, team)")
