"""A realistic synthetic mission for demos and benchmarks (being written)."""

from sqlite_utils import Database


def generate(db: Database, station_count: int, checklist_count: int) -> dict:
    """Fill an empty database; return a summary with the logins."""
    raise NotImplementedError


def describe(summary: dict) -> str:
    """The summary as text for the terminal, logins first."""
    raise NotImplementedError
