"""Rule validation: every problem names the rule and the field; values are normalized."""

from __future__ import annotations

import pytest

from app.core.organize.rules import (
    Action,
    Condition,
    Rule,
    RuleError,
    parse_date,
    parse_duration,
    parse_size,
    rule_from_dict,
    rule_to_dict,
    validate,
)


def rule(**over) -> dict:
    d = {"name": "Pics", "conditions": [{"type": "extension", "extensions": ["JPG", ".png"]}],
         "actions": [{"type": "move", "to": "Pictures/{year}"}]}
    d.update(over)
    return d


def test_valid_rule_is_normalized_and_round_trips():
    r = rule_from_dict(rule(conflict="keep-newest", **{"continue": True}))
    assert r.conditions[0].options["extensions"] == [".jpg", ".png"]
    assert r.conflict == "keep-newest" and r.continue_ and r.enabled and r.subfolders
    again = rule_from_dict(rule_to_dict(r))
    assert again == r


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "must not be empty"),
    ({"name": 3}, "name", "must be text"),
    ({"match": "most"}, "match", "must be one of"),
    ({"conflict": "overwrite"}, "conflict", "must be one of"),
    ({"enabled": "yes"}, "enabled", "true or false"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"actions": []}, "actions", "at least one action"),
    ({"actions": [{"type": "explode"}]}, "actions[0].type", "unknown action"),
    ({"actions": [{"type": "move"}]}, "actions[0].to", "is missing"),
    ({"actions": [{"type": "move", "to": "../up"}]}, "actions[0].to", "climbs out"),
    ({"actions": [{"type": "move", "to": "{nope}"}]}, "actions[0].to", "unknown field"),
    ({"actions": [{"type": "rename", "name": "a/{name}"}]}, "actions[0].name", "cannot contain"),
    ({"actions": [{"type": "move", "to": "a"}, {"type": "copy", "to": "b"}]}, "actions", "one of"),
    ({"actions": [{"type": "trash"}, {"type": "rename", "name": "x"}]}, "actions", "cannot be combined"),
    ({"actions": [{"type": "hardlink"}]}, "actions", "needs a 'duplicate' condition"),
    ({"conditions": [{"type": "colour"}]}, "conditions[0].type", "unknown condition"),
    ({"conditions": ["jpg"]}, "conditions[0]", "must be a table"),
    ({"conditions": [{"type": "extension", "extensions": []}]}, "conditions[0].extensions", "at least one"),
    ({"conditions": [{"type": "category", "categories": [" "]}]}, "conditions[0].categories[0]",
     "non-empty text"),
    ({"conditions": [{"type": "name", "pattern": "(", "mode": "regex"}]}, "conditions[0].pattern",
     "bad regular expression"),
    ({"conditions": [{"type": "name", "pattern": "x", "mode": "fuzzy"}]}, "conditions[0].mode",
     "unknown mode"),
    ({"conditions": [{"type": "size", "min": "lots"}]}, "conditions[0].min", "not a size"),
    ({"conditions": [{"type": "size", "min": "2MB", "max": "1MB"}]}, "conditions[0].max", "smaller"),
    ({"conditions": [{"type": "size"}]}, "conditions[0]", "needs 'min' or 'max'"),
    ({"conditions": [{"type": "modified", "older_than": "soon"}]}, "conditions[0].older_than",
     "not a duration"),
    ({"conditions": [{"type": "created", "after": "31/12/2020"}]}, "conditions[0].after", "not a date"),
    ({"conditions": [{"type": "modified"}]}, "conditions[0]", "needs one of"),
    ({"conditions": [{"type": "filetype", "types": ["hologram"]}]}, "conditions[0].types[0]",
     "unknown value"),
    ({"conditions": [{"type": "path_contains", "text": ""}]}, "conditions[0].text", "must not be empty"),
    ({"conditions": [{"type": "duplicate", "in": [3]}]}, "conditions[0].in[0]", "non-empty text"),
])
def test_errors_name_rule_and_field(change, field, message):
    with pytest.raises(RuleError) as info:
        rule_from_dict(rule(**change), position=2)
    err = info.value
    assert err.field == field
    assert message in err.message
    assert err.rule.startswith("#3")
    assert f"'{field}'" in str(err)


def test_error_names_the_rule_by_name():
    with pytest.raises(RuleError, match="rule #1 'Pics': field 'conflict'"):
        rule_from_dict(rule(conflict="nope"))


def test_not_a_dict():
    with pytest.raises(RuleError, match="must be a table"):
        rule_from_dict(["name"])


def test_parsers():
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration("2w") == 14 * 86400
    assert parse_duration("1.5h") == 5400
    assert parse_duration("6mo") == 180 * 86400
    assert parse_duration(90) == 90
    assert parse_size("10MB") == 10_000_000
    assert parse_size("10MiB") == 10 * 2**20
    assert parse_size("1.5k") == 1500
    assert parse_size(42) == 42
    with pytest.raises(ValueError):
        parse_size(-1)
    assert parse_date("2024-01-31") < parse_date("2024-02-01")


def test_validate_rule_built_in_code():
    r = Rule("Docs", [Condition("extension", {"extensions": ["PDF"]})], [Action("copy", {"to": "{ext}"})])
    checked = validate(r)
    assert checked.conditions[0].options["extensions"] == [".pdf"]
    assert checked.uuid == r.uuid
    r.actions = [Action("copy", {"to": "CON"})]
    with pytest.raises(RuleError, match="reserved"):
        validate(r)
