"""create-user: roles, teams, password from standard input, hashed with argon2."""

import pytest

from models import users


def test_create_user_reads_password_from_stdin(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-user", "lto7", "--role", "observer", "--team", "T07", "--region", "Abai"],
        input="long enough secret\n")
    assert result.exit_code == 0, result.output
    row = users.find_by_username(db, "lto7")
    assert row["password_hash"].startswith("$argon2id$")
    assert "long enough secret" not in row["password_hash"]
    assert users.authenticate(db, "lto7", "long enough secret")["team"] == "T07"
    assert users.authenticate(db, "lto7", "wrong") is None


@pytest.mark.parametrize("args, stdin, message", [
    (["x1", "--role", "observer"], "password123\n", "add --team"),
    (["x2", "--role", "king"], "password123\n", "Invalid value for '--role'"),
    (["x3", "--role", "coordinator"], "short\n", "at least 8 characters"),
    (["obs1", "--role", "coordinator"], "password123\n", "already exists"),
])
def test_create_user_refuses_bad_input(app, args, stdin, message):
    result = app.test_cli_runner().invoke(args=["create-user", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_init_db_is_repeatable_and_keeps_data(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["init-db"]).exit_code == 0
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 6
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_every_connection_has_the_durability_settings(db_path, app):
    from models.db import connect
    db = connect(db_path, busy_timeout_ms=7000)
    settings = [db.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("foreign_keys", "synchronous", "busy_timeout", "journal_mode")]
    db.close()
    assert settings == [1, 2, 7000, "wal"]  # 2 = FULL
