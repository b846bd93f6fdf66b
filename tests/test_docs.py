"""The README stays true: every setting and every CLI command is documented."""

import re
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


def test_every_file_the_layout_names_exists():
    """The README's layout section answers "where is ...?" with paths that are really there."""
    root = Path(__file__).parent.parent
    layout = README.split("## Layout", 1)[1]
    named = set(re.findall(r"`((?:models|forms|views|reports|templates|static|tests)/[\w./]*)`", layout))
    assert len(named) > 20
    missing = sorted(p for p in named if not (root / p).exists()
                     and not (root / p).with_suffix(".py").exists())
    assert missing == []
