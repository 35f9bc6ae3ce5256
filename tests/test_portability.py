"""One engine on every OS (DESIGN.md, Portability): outside ``app/platform/`` no module of ``app/``
uses a call that exists only on Unix or only on Windows, and ``app/platform`` imports nothing of
the project outside itself. The source is read with ``ast``, so docstrings and comments may
still name these calls."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
PLATFORM = APP / "platform"

# os functions that Windows (or macOS, for sched_getaffinity) lacks, and os._exit (no cleanup).
OS_ONLY = frozenset({
    "fork", "forkpty", "pread", "pwrite", "preadv", "pwritev", "geteuid", "getuid", "getgid",
    "getegid", "getpgid", "setsid", "killpg", "sched_getaffinity", "register_at_fork", "_exit",
})
MODULES_ONLY = frozenset({"fcntl", "pwd", "grp", "resource", "termios", "msvcrt", "winreg", "ctypes"})

def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (allowed to mention anything)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def os_specific_uses(source: str) -> list[str]:
    """Each Unix- or Windows-only use in `source`, as "line N: what"."""
    tree = ast.parse(source)
    os_names = {"os"}          # names bound to the os module (import os as _os)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names.update(a.asname or a.name for a in node.names if a.name == "os")
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Import):
            bad = [a.name for a in node.names if a.name.split(".")[0] in MODULES_ONLY]
            what = f"import {', '.join(bad)}" if bad else None
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in MODULES_ONLY:
                what = f"from {node.module} import"
            elif node.module == "os":
                bad = [a.name for a in node.names if a.name in OS_ONLY]
                what = f"from os import {', '.join(bad)}" if bad else None
        elif isinstance(node, ast.Attribute) and node.attr in OS_ONLY:
            if isinstance(node.value, ast.Name) and node.value.id in os_names:
                what = f"os.{node.attr}"
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "__import__") and node.args):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "getattr" and any(a in OS_ONLY for a in args):
                what = f"getattr(os, {args[0]!r})"
            elif node.func.id == "__import__" and args and str(args[0]) in MODULES_ONLY:
                what = f"__import__({args[0]!r})"
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
              and (node.value == "/proc" or node.value.startswith("/proc/"))):
            what = f"path {node.value!r}"
        if what:
            found.append(f"line {node.lineno}: {what}")
    # (f"/proc/{pid}/fd" is caught too: its first part is the constant "/proc/")
    return sorted(set(found), key=lambda s: int(s.split(":")[0].split()[1]))


def test_no_os_specific_calls_outside_app_platform():
    offenders = {}
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(APP.parent).as_posix()
        if path.is_relative_to(PLATFORM):
            continue
        uses = os_specific_uses(path.read_text(encoding="utf-8"))
        if uses:
            offenders[rel] = uses
    assert offenders == {}, "move these into app/platform/: " + repr(offenders)


def test_the_scan_catches_each_kind_of_use():
    """The checker itself: every form it must see, and docstrings it must not."""
    source = '''
"""Docstring naming os.fork and /proc is fine."""
import os as _os
import fcntl
from ctypes import CDLL
from os import pread
import os

def f(pid):
    """Reads /proc/self."""
    _os.fork()
    os.geteuid()
    getattr(os, "sched_getaffinity")
    open(f"/proc/{pid}/fd")
    open("/proc/mounts")
    os._exit(0)
    hasattr(os, "fork")
'''
    uses = os_specific_uses(source)
    assert uses == [
        "line 4: import fcntl", "line 5: from ctypes import", "line 6: from os import pread",
        "line 11: os.fork", "line 12: os.geteuid", "line 13: getattr(os, 'sched_getaffinity')",
        "line 14: path '/proc/'", "line 15: path '/proc/mounts'", "line 16: os._exit",
    ]


def test_app_platform_imports_nothing_of_the_project_outside_itself():
    offenders = {}
    for path in PLATFORM.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        bad = sorted(m for m in names if m.split(".")[0] == "app" and m.split(".")[:2] != ["app", "platform"])
        if bad:
            offenders[path.relative_to(APP).as_posix()] = bad
    assert offenders == {}
