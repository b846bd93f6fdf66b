"""Evidence and results: photos, the election's contests, protocols, official figures."""

from sqlite_utils import Database


def m011_photos(db: Database) -> None:
    # The images themselves live in the media folder, named by their sha256
    # (models/media.py); a row says which entry a photo belongs to and who sent it.
    db.execute("""
        CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            -- made by the phone: a retried upload hits this constraint instead
            -- of storing the photo twice.
            uuid TEXT NOT NULL UNIQUE,
            entry_kind TEXT NOT NULL
                CHECK (entry_kind IN ('checklist', 'incident', 'interaction')),
            entry_id INTEGER NOT NULL,
            question TEXT,
            -- of the stored, re-encoded JPEG: its name in the media folder
            sha256 TEXT NOT NULL,
            -- of the bytes received: how a resend of the same photo is recognised
            upload_sha256 TEXT NOT NULL,
            thumbnail_sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            captured_utc TEXT,
            uploaded_by INTEGER NOT NULL REFERENCES users (id),
            uploaded_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX photos_entry ON photos (entry_kind, entry_id, id)")
    # Whether a file is still used, when an upload that placed it fails.
    db.execute("CREATE INDEX photos_sha256 ON photos (sha256)")
    db.execute("CREATE INDEX photos_thumbnail ON photos (thumbnail_sha256)")


def m014_contests(db: Database) -> None:
    # The contests themselves live in the mission file (models/contests); the
    # database holds what changes with the election: each station's
    # single-member district and urban/rural type (empty until the registry is
    # re-imported with them), the district candidates, and official results.
    db.execute("ALTER TABLE stations ADD COLUMN smd_district INTEGER")
    db.execute("ALTER TABLE stations ADD COLUMN area_type TEXT"
               " CHECK (area_type IS NULL OR area_type IN ('urban', 'rural'))")
    db.execute("CREATE INDEX stations_smd_district ON stations (smd_district)")
    db.execute("""
        CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            district INTEGER NOT NULL,
            -- what official results and observed protocols name the candidate by
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            -- a party code of the mission file, or 'self_nominated'
            party TEXT NOT NULL,
            -- ballot order within the district (the order of the imported file)
            position INTEGER NOT NULL,
            imported_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX candidates_district ON candidates (district, position)")
    # One figure per row, as the commission published it (flask import-results):
    # level national/region/district/station; unit empty for national, else the
    # region's name, the district's number or the station's number; item a party
    # or candidate code, against_all or a control figure.
    db.execute("""
        CREATE TABLE official_results (
            id INTEGER PRIMARY KEY,
            level TEXT NOT NULL,
            unit TEXT NOT NULL DEFAULT '',
            contest TEXT NOT NULL,
            item TEXT NOT NULL,
            value INTEGER NOT NULL,
            source TEXT NOT NULL,
            imported_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX official_results_unit ON official_results"
               " (contest, level, unit, item)")
    db.execute("CREATE INDEX official_results_source ON official_results (source)")


def m016_protocols_and_turnout(db: Database) -> None:
    # What observers copied from posted protocols, one figure a row, so that
    # comparing with official results (official_results, m014) is a join and
    # not a walk through JSON answers. A figure belongs to a counting
    # checklist (written with it, in the same transaction) and to a contest of
    # the mission file (models/contests): `item` is a party or candidate code,
    # against_all, or a control figure code.
    db.execute("""
        CREATE TABLE protocol_figures (
            id INTEGER PRIMARY KEY,
            checklist_id INTEGER NOT NULL REFERENCES checklists (id),
            station_id INTEGER NOT NULL REFERENCES stations (id),
            contest TEXT NOT NULL,
            item TEXT NOT NULL,
            value INTEGER NOT NULL CHECK (value >= 0),
            UNIQUE (checklist_id, contest, item)
        )""")
    db.execute("CREATE INDEX protocol_figures_station ON protocol_figures"
               " (station_id, contest, item)")
    # The commission's announced turnout by time of day (the CEC announced
    # 10:00, 12:00, 14:00, 16:00 and 18:00 in 2023), nationally ('national',
    # unit '') or by region (unit = the region's name); local_time 'HH:MM'.
    db.execute("""
        CREATE TABLE official_turnout (
            id INTEGER PRIMARY KEY,
            level TEXT NOT NULL CHECK (level IN ('national', 'region')),
            unit TEXT NOT NULL DEFAULT '',
            local_time TEXT NOT NULL,
            share REAL NOT NULL CHECK (share >= 0 AND share <= 100),
            source TEXT NOT NULL,
            imported_utc TEXT NOT NULL,
            UNIQUE (level, unit, local_time, source)
        )""")
