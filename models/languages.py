"""The mission's languages: which exist, and what an unknown code falls back to.

Stored answers stay codes whatever the language they were filed in; only what
is shown is translated (translations/<code>/LC_MESSAGES/messages.po), so a
checklist filed in Kazakh and one filed in English count together.
"""

from pathlib import Path

import yaml

# Each language by its own name, as the switch in the menu shows it.
LANGUAGES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "translations" / "glossary.yaml"


def supported(code: str | None) -> str | None:
    """``code`` when the app speaks it ("ru", "kk-KZ" -> "kk"), else None: never an error."""
    if not code or not isinstance(code, str):
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def or_default(code: str | None, default: str) -> str:
    """``code`` when supported, else the mission's default (itself checked, else English)."""
    return supported(code) or supported(default) or "en"


def glossary() -> list[dict]:
    """The mission's terms in English, Russian and Kazakh (translations/glossary.yaml)."""
    with GLOSSARY_FILE.open(encoding="utf-8") as handle:
        return [{code: term[code] for code in LANGUAGES} for term in yaml.safe_load(handle)]
