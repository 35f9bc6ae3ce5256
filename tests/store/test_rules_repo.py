"""Saved rules: order, updates by uuid with version bumps, soft delete, enable/disable, import/export."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.organize.presets import preset
from app.core.organize.rules import RuleError, rule_from_dict
from app.jobs import organize as jobs
from app.store.schema import rules as rules_table


def rows(db):
    with db.engine.connect() as conn:
        return conn.execute(select(rules_table.c.name, rules_table.c.position, rules_table.c.version,
                                   rules_table.c.deleted).order_by(rules_table.c.id)).all()


def test_crud_order_and_versions(db):
    a, b, c = preset("downloads-cleanup").build()
    for r in (a, b, c):
        jobs.save_rule(db, r)
    assert [r.name for r in jobs.saved_rules(db)] == [a.name, b.name, c.name]
    b.name = "Images go to Pictures"
    jobs.save_rule(db, b)
    assert jobs.saved_rules(db)[1].name == "Images go to Pictures"
    assert [v for _, _, v, _ in rows(db)] == [1, 2, 1]
    jobs.reorder_rules(db, [c.uuid, a.uuid])
    assert [r.uuid for r in jobs.saved_rules(db)] == [c.uuid, a.uuid, b.uuid]
    assert jobs.set_rule_enabled(db, a.uuid, False)
    assert [r.uuid for r in jobs.saved_rules(db, enabled_only=True)] == [c.uuid, b.uuid]
    assert not jobs.saved_rules(db)[1].enabled
    assert jobs.delete_rule(db, c.uuid) and not jobs.delete_rule(db, c.uuid)
    assert [r.uuid for r in jobs.saved_rules(db)] == [a.uuid, b.uuid]
    assert [d for *_, d in rows(db)] == [False, False, True]      # a tombstone stays for sync


def test_invalid_rule_is_refused(db):
    r = rule_from_dict({"name": "x", "actions": [{"type": "trash"}]})
    r.conflict = "whenever"
    with pytest.raises(RuleError, match="field 'conflict'"):
        jobs.save_rule(db, r)
    assert jobs.saved_rules(db) == []


def test_import_export_and_replace(db, tmp_path):
    for r in preset("by-date").build():
        jobs.save_rule(db, r)
    path = tmp_path / "mine.toml"
    assert jobs.export_rules(db, str(path)) == 1
    other = tmp_path / "other.json"
    from app.core.organize.rules_io import save_rules
    save_rules(str(other), preset("downloads-cleanup").build())
    assert jobs.import_rules(db, str(other)).stored == 3
    assert len(jobs.saved_rules(db)) == 4
    assert jobs.import_rules(db, str(path), replace=True).stored == 1
    assert [r.name for r in jobs.saved_rules(db)] == ["By year and month"]
