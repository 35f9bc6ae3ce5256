"""The layering in DESIGN.md: core imports nothing of Qt, the database or the layers above it;
each layer imports only the layers below it; the window and the command line reach the database
only through jobs (they never import the store)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
FORBIDDEN_IN_CORE = ("PySide6", "sqlalchemy", "sqlite3", "app.gui", "app.store", "app.jobs",
                     "app.sync", "app.server", "app.cli")


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module `path` imports, at the top or inside a function. ``from A import b`` counts
    as A and as A.b (b may be a module: ``from app import store``); relative imports are made
    absolute against `package` (by default the one `path` lies in)."""
    if package is None:
        package = ".".join(path.resolve().relative_to(APP.parent).parent.parts)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
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
# Each layer may not import the layers listed for it: the ones above it, and for gui and cli
# the store and the sync client, which they reach only through jobs. (`fileorganizer gui`
# starts the window, so cli may import gui.)
UPWARD = {
    "store": ("app.jobs", "app.gui", "app.cli", "app.sync", "app.server"),
    "sync": ("app.jobs", "app.gui", "app.cli", "app.server"),
    "jobs": ("app.gui", "app.cli", "app.server"),
    "gui": ("app.store", "app.sync", "app.cli", "app.server"),
    "cli": ("app.store", "app.sync", "app.server"),
}


def test_no_layer_imports_a_layer_above_it():
    offenders = {}
    for layer, above in UPWARD.items():
        for path in (APP / layer).rglob("*.py"):
            bad = {m for m in imported_modules(path) if m.startswith(above)}
            if bad:
                offenders[str(path.relative_to(APP))] = sorted(bad)
    assert offenders == {}


def test_window_and_command_line_never_import_the_store():
    """Also imports inside functions count (the commands import lazily): ast sees them all."""
    offenders = {}
    for layer in ("gui", "cli"):
        for path in (APP / layer).rglob("*.py"):
            bad = {m for m in imported_modules(path) if m == "app.store" or m.startswith("app.store.")}
            if bad:
                offenders[str(path.relative_to(APP))] = sorted(bad)
    assert offenders == {}


def test_every_way_of_naming_the_store_is_seen(tmp_path):
    """The check above sees the store however a module names it (checked on a probe file)."""
    probe = tmp_path / "probe.py"
    probe.write_text("import app.store.db\n"
                     "def f():\n"
                     "    from app import store\n"
                     "    from ..store.watched import WatchedFolder\n", encoding="utf-8")
    names = imported_modules(probe, package="app.gui")
    assert {"app.store.db", "app.store", "app.store.watched"} <= names
