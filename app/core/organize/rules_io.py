"""Rules files: export and import as JSON or TOML, with a format version.

Layout (TOML shown; JSON has the same keys)::

    version = 1
    [[rules]]
    name = "Images to Pictures"
    conflict = "rename"
    [[rules.conditions]]
    type = "category"
    categories = ["images"]
    [[rules.actions]]
    type = "move"
    to = "Pictures/{year}"

TOML is read with the standard ``tomllib`` and written by ``dump_toml`` below
(the rules hold only text, numbers, booleans, lists of those and lists of tables,
which a small writer covers exactly). Every problem raises RulesFileError with the
rule and field at fault.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Sequence
from typing import Any

from app.core.organize.rules import Rule, RuleError, rule_from_dict, rule_to_dict

FORMAT_VERSION = 1


class RulesFileError(ValueError):
    """A rules file that cannot be imported; the message names the file, rule and field."""


def _format_of(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    ext = os.path.splitext(path)[1].lower()
    if ext in (".toml", ".json"):
        return ext[1:]
    raise RulesFileError(f"{path}: cannot tell the format from the extension; use .toml or .json")


def rules_to_data(rules: Sequence[Rule]) -> dict[str, Any]:
    return {"version": FORMAT_VERSION, "rules": [rule_to_dict(r) for r in rules]}


def rules_from_data(data: Any, source: str = "rules") -> list[Rule]:
    """Validate a loaded document; raises RulesFileError naming the rule and field."""
    if not isinstance(data, dict):
        raise RulesFileError(f"{source}: expected a table/object with 'version' and 'rules'")
    version = data.get("version")
    if version is None:
        raise RulesFileError(f"{source}: field 'version' is missing (this app writes version "
                             f"{FORMAT_VERSION})")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RulesFileError(f"{source}: field 'version' must be a positive whole number, not {version!r}")
    if version > FORMAT_VERSION:
        raise RulesFileError(f"{source}: version {version} is newer than this app understands "
                             f"({FORMAT_VERSION}); update the app")
    unknown = [k for k in data if k not in ("version", "rules")]
    if unknown:
        raise RulesFileError(f"{source}: unknown top-level field {unknown[0]!r}")
    items = data.get("rules")
    if not isinstance(items, list):
        raise RulesFileError(f"{source}: field 'rules' must be a list of rules")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(rule_from_dict(item, i))
        except RuleError as exc:
            raise RulesFileError(f"{source}: {exc}") from None
    return out


def load_rules(path: str, fmt: str | None = None) -> list[Rule]:
    """Read and validate a rules file (.toml or .json)."""
    kind = _format_of(path, fmt)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise RulesFileError(f"{path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text) if kind == "toml" else json.loads(text)
    except UnicodeDecodeError:
        raise RulesFileError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path}: not valid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise RulesFileError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column "
                             f"{exc.colno}") from None
    return rules_from_data(data, path)


def same_name(a: str, b: str) -> bool:
    """Rule names are compared as people read them: case and outer spaces do not count."""
    return a.strip().casefold() == b.strip().casefold()


def adopt_saved(imported: Sequence[Rule], saved: Sequence[Rule]) -> list[str]:
    """Give each imported rule that has the name of a saved rule that rule's uuid, so storing
    it replaces the saved one instead of adding a second rule of the same name (importing one
    file twice changes nothing). Returns the names replaced, in the file's order."""
    by_name = {r.name.strip().casefold(): r for r in saved}
    replaced = []
    for rule in imported:
        old = by_name.get(rule.name.strip().casefold())
        if old is not None:
            rule.uuid = old.uuid
            replaced.append(old.name)
    return replaced


def dumps(rules: Sequence[Rule], fmt: str) -> str:
    """The rules as TOML or JSON text."""
    data = rules_to_data(rules)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return dump_toml(data)


def save_rules(path: str, rules: Sequence[Rule], fmt: str | None = None) -> None:
    """Write the rules to `path` (format from the extension unless given), atomically."""
    text = dumps(rules, _format_of(path, fmt))
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


# --- a TOML writer for the shapes rules use -----------------------------------------------------

def _toml_str(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{s!r} holds bytes that are not text (an undecodable file name); "
                             "TOML and JSON cannot store it")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _toml_key(k: str) -> str:
    if k and all(c.isascii() and (c.isalnum() or c in "-_") for c in k):
        return k
    return _toml_str(k)


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _toml_table(d: dict, prefix: str, lines: list[str]) -> None:
    for k, v in d.items():
        if not _is_table_list(v):
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in d.items():
        if _is_table_list(v):
            name = f"{prefix}.{_toml_key(k)}" if prefix else _toml_key(k)
            for item in v:
                lines.append("")
                lines.append(f"[[{name}]]")
                _toml_table(item, name, lines)


def dump_toml(data: dict) -> str:
    """TOML text for a dict of scalars, lists and lists of tables (read back by tomllib)."""
    lines: list[str] = []
    _toml_table(data, "", lines)
    return "\n".join(lines) + "\n"
