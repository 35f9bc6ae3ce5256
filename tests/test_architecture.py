"""The layering in DESIGN.md: core imports nothing of Qt, the database or the layers above it."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
FORBIDDEN_IN_CORE = ("PySide6", "sqlalchemy", "sqlite3", "app.gui", "app.store", "app.jobs",
                     "app.sync", "app.server", "app.cli")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_qt_database_or_upper_layers():
    offenders = {}
    for path in (APP / "core").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.startswith(FORBIDDEN_IN_CORE)}
        if bad:
            offenders[str(path.relative_to(APP))] = sorted(bad)
    assert offenders == {}


def test_server_stands_alone():
    offenders = {}
    for path in (APP / "server").rglob("*.py"):
        bad = {m for m in imported_modules(path)
               if m.startswith("app.") and not m.startswith("app.server")}
        if bad:
            offenders[str(path.relative_to(APP))] = sorted(bad)
    assert offenders == {}


# Imports flow one way (DESIGN.md): gui -> jobs -> core, store, sync; cli -> jobs.
# Each layer below may not import the layers listed for it (the ones above it).
UPWARD = {
    "store": ("app.jobs", "app.gui", "app.cli", "app.sync", "app.server"),
    "sync": ("app.jobs", "app.gui", "app.cli", "app.server"),
    "jobs": ("app.gui", "app.cli", "app.server"),
}


def test_no_layer_imports_a_layer_above_it():
    offenders = {}
    for layer, above in UPWARD.items():
        for path in (APP / layer).rglob("*.py"):
            bad = {m for m in imported_modules(path) if m.startswith(above)}
            if bad:
                offenders[str(path.relative_to(APP))] = sorted(bad)
    assert offenders == {}
