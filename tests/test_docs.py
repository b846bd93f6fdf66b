"""The README stays true: every setting and every CLI command is documented."""

from pathlib import Path

import pytest

from models.settings import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting.name}`" in README


def test_every_cli_command_is_in_the_readme(app):
    ours = {name for name, cmd in app.cli.commands.items()
            if cmd.callback.__module__.startswith("views.")}
    assert ours >= {"init-db", "import-stations", "create-user", "demo"}
    for name in ours:
        assert f"`{name}" in README, name


def test_readme_gives_the_two_commands():
    first_screen = "\n".join(README.splitlines()[:15])
    assert "make run" in first_screen and "make test" in first_screen
