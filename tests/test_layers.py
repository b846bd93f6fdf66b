"""The house's layers: each imports only the layers beneath it (read from the source with ast).

models/ (with the vocabulary and the checklist definitions) sits at the bottom;
forms/ and reports/ build on models; views/ on all three. A lower layer that
imports a higher one fails here, naming the module and the import.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# layer -> the top-level packages it must never import
FORBIDDEN = {
    "models": {"forms", "views", "reports", "app"},
    "reports": {"forms", "views", "app"},
    "forms": {"views", "reports", "app"},
}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """The top-level package of every import in a module, with its line."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


def modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_a_higher_one(layer):
    assert modules(layer), f"no modules found in {layer}/"
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {package}"
             for path in modules(layer)
             for package, line in sorted(imported_packages(path))
             if package in FORBIDDEN[layer]]
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import os\nfrom views.auth import roles_required\nimport forms.checklist\n")
    assert {("views", 2), ("forms", 3)} <= imported_packages(module)


# The entry kinds' HTML pages: the JSON API must not reach records through them.
ENTRY_PAGES = {"views.checklists", "views.incidents", "views.meetings"}


def imported_modules(path: Path) -> set[tuple[str, int]]:
    """The full name of every module imported (``from views import x`` counts as views.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {(alias.name, node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module, node.lineno))
            found |= {(f"{node.module}.{alias.name}", node.lineno) for alias in node.names}
    return found


def test_the_api_turns_forms_into_records_without_the_html_views():
    """Each form returns its record (to_record); the API imports forms and models for it."""
    api = sorted((ROOT / "views").glob("api*.py"))
    assert api
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in api for name, line in sorted(imported_modules(path))
             if name in ENTRY_PAGES]
    assert not wrong, "\n".join(wrong)


def test_the_api_checker_sees_a_view_import(tmp_path):
    module = tmp_path / "api_bad.py"
    module.write_text("from views.checklists import filing\nfrom views import incidents\n")
    names = {name for name, _line in imported_modules(module)}
    assert {"views.checklists", "views.incidents"} <= names
