"""The layers: app/core is the ground floor and imports no domain; domains never import the
composition roots (app.main, app.cli, app.commands, app.tables) except from their commands."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
ROOTS = {"app.main", "app.cli", "app.commands", "app.tables"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, with its line, type-checking imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_core_imports_no_domain() -> None:
    offending = [
        f"{path.relative_to(APP.parent)}:{line}: {module}"
        for path in sorted((APP / "core").rglob("*.py"))
        for line, module in _imports(path)
        if module.startswith("app.")
        and not module.startswith("app.core")
        and module != "app.__version__"
    ]
    assert offending == []


def test_domains_do_not_import_the_composition_roots() -> None:
    offending = [
        f"{path.relative_to(APP.parent)}:{line}: {module}"
        for path in sorted(APP.rglob("*.py"))
        if path.parent != APP and "migrations" not in path.parts and path.name != "cli.py"
        for line, module in _imports(path)
        if module in ROOTS or any(module.startswith(root + ".") for root in ROOTS)
    ]
    assert offending == []


def test_the_layer_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from app.scoring.answers import FieldError\nimport app.audit.recorder\n")
    modules = [m for _line, m in _imports(bad)]
    assert "app.scoring.answers" in modules
    assert "app.audit.recorder" in modules
