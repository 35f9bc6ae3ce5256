"""Rules files: JSON and TOML round trips, the version field, and bad files named precisely."""

from __future__ import annotations

import json
import tomllib

import pytest

from app.core.organize.presets import PRESETS
from app.core.organize.rules import rule_from_dict
from app.core.organize.rules_io import (
    FORMAT_VERSION,
    RulesFileError,
    dump_toml,
    dumps,
    load_rules,
    save_rules,
)

TRICKY = {"name": 'Quotes "and" \\ back\tslash ünïcode', "folders": ["/tmp/a b", "C:\\Users\\x"],
          "subfolders": False, "match": "any", "conflict": "skip", "remove_empty_folders": True,
          "conditions": [{"type": "name", "pattern": "*.[jJ]pg", "mode": "glob", "case_sensitive": True},
                         {"type": "size", "min": "1k", "max": 5000000},
                         {"type": "modified", "older_than": "30d", "after": "2020-01-01"}],
          "actions": [{"type": "move", "to": "{year}/{{x}}"},
                      {"type": "rename", "name": "{stem} #{counter:03}"}]}


@pytest.mark.parametrize("ext", ["toml", "json"])
def test_round_trip_every_preset_and_a_tricky_rule(tmp_path, ext):
    rules = [r for p in PRESETS.values() for r in p.build()] + [rule_from_dict(TRICKY)]
    path = tmp_path / f"rules.{ext}"
    save_rules(str(path), rules)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if ext == "toml" else json.loads(text)
    assert data["version"] == FORMAT_VERSION
    assert load_rules(str(path)) == rules


def test_toml_writer_escapes_control_characters():
    data = {"version": 1, "s": "bell\x07 nul\x00 del\x7f \r\n", "nested": [{"k": [1, 2.5, True]}]}
    assert tomllib.loads(dump_toml(data)) == data


def test_undecodable_names_cannot_be_written():
    r = rule_from_dict(dict(TRICKY, folders=["/tmp/bad\udcff"]))
    with pytest.raises(ValueError, match="not text"):
        dumps([r], "toml")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("a.toml", 'version = 1\n[[rules]]\nname = "Pics"\nconflict = "sometimes"\n'
               '[[rules.actions]]\ntype = "trash"\n', "rule #1 'Pics': field 'conflict'"),
    ("b.json", json.dumps({"version": 1, "rules": [
        {"name": "ok", "actions": [{"type": "trash"}]},
        {"name": "Second", "actions": [{"type": "move", "to": "../x"}]}]}),
     "rule #2 'Second': field 'actions[0].to'"),
    ("c.toml", '[[rules]]\nname = "x"\n', "field 'version' is missing"),
    ("d.json", '{"version": 99, "rules": []}', "newer than this app"),
    ("e.json", '{"version": "one", "rules": []}', "positive whole number"),
    ("f.json", '{"version": 1, "rules": {}}', "must be a list"),
    ("g.json", '{"version": 1, "rules": [], "extra": 1}', "unknown top-level field"),
    ("h.toml", "version = 1\n[[rules]\n", "not valid TOML"),
    ("i.json", '{"version": 1, "rules": [', "not valid JSON"),
    ("j.json", "[1, 2]", "expected a table"),
    ("k.yaml", "version: 1", "use .toml or .json"),
    ("l.json", '{"version": 1, "rules": [{"actions": [{"type": "trash"}]}]}', "rule #1: field 'name'"),
])
def test_bad_files_name_rule_and_field(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(RulesFileError) as info:
        load_rules(path)
    assert message in str(info.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(RulesFileError, match="No such file"):
        load_rules(str(tmp_path / "none.toml"))
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RulesFileError, match="not UTF-8"):
        load_rules(str(p))
