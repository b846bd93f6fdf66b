"""The data layer: sqlite-utils over one SQLite file. No Flask request in here."""
