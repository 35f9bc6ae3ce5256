"""The user's rules in the database (table ``rules``): ordered, soft-deleted for sync.

The body column holds ``core.organize.rules.rule_to_dict`` as JSON; every write validates the
rule first and bumps its version (the sync client sends rows whose version changed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from sqlalchemy import func, select, update

from app.core.organize.rules import Rule, rule_from_dict, rule_to_dict, validate
from app.store.db import Database
from app.store.outbox import rule_changed
from app.store.schema import rules as t


def list_rules(db: Database, enabled_only: bool = False) -> list[Rule]:
    """The rules in their order (deleted ones left out)."""
    q = select(t.c.body, t.c.enabled).where(t.c.deleted.is_(False)).order_by(t.c.position, t.c.id)
    if enabled_only:
        q = q.where(t.c.enabled.is_(True))
    with db.engine.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for i, (body, enabled) in enumerate(rows):
        rule = rule_from_dict(json.loads(body), i)
        rule.enabled = bool(enabled)
        out.append(rule)
    return out


def get_rule(db: Database, uuid: str) -> Rule | None:
    """One rule by uuid, or None."""
    with db.engine.connect() as conn:
        row = conn.execute(select(t.c.body, t.c.enabled).where(t.c.uuid == uuid,
                                                                t.c.deleted.is_(False))).first()
    if row is None:
        return None
    rule = rule_from_dict(json.loads(row[0]))
    rule.enabled = bool(row[1])
    return rule


def _upsert(conn, rule: Rule, position: int | None) -> None:
    now = time.time()
    body = json.dumps(rule_to_dict(rule), ensure_ascii=False)
    existing = conn.execute(select(t.c.id, t.c.position).where(t.c.uuid == rule.uuid)).first()
    if existing is None:
        if position is None:
            position = (conn.execute(select(func.max(t.c.position)).where(t.c.deleted.is_(False)))
                        .scalar() or 0) + 1
        conn.execute(t.insert().values(uuid=rule.uuid, name=rule.name, position=position,
                                       enabled=rule.enabled, body=body, version=1, updated_at=now,
                                       deleted=False))
    else:
        values = {"name": rule.name, "enabled": rule.enabled, "body": body, "updated_at": now,
                  "deleted": False, "version": t.c.version + 1}
        if position is not None:
            values["position"] = position
        conn.execute(update(t).where(t.c.id == existing[0]).values(**values))
    rule_changed(conn, rule.uuid)


def save_rule(db: Database, rule: Rule, position: int | None = None) -> Rule:
    """Validate and store a rule (insert, or update the row with its uuid); returns it normalized.

    Raises core.organize.rules.RuleError naming the field at fault. New rules go last unless
    `position` is given.
    """
    checked = validate(rule)
    checked.uuid = rule.uuid
    with db.engine.begin() as conn:
        _upsert(conn, checked, position)
    return checked


def save_rules(db: Database, rules: Sequence[Rule], replace: bool = False) -> int:
    """Store many rules in their order, after the existing ones (import); `replace` deletes the
    rules not in `rules`. Returns the number stored. All or nothing."""
    checked = [validate(r, i) for i, r in enumerate(rules)]
    for c, r in zip(checked, rules, strict=True):
        c.uuid = r.uuid
    now = time.time()
    with db.engine.begin() as conn:
        if replace:
            keep = [r.uuid for r in checked]
            for gone in conn.execute(select(t.c.uuid).where(t.c.uuid.not_in(keep),
                                                            t.c.deleted.is_(False))).scalars().all():
                rule_changed(conn, gone)
            conn.execute(update(t).where(t.c.uuid.not_in(keep), t.c.deleted.is_(False))
                         .values(deleted=True, updated_at=now, version=t.c.version + 1))
            for i, rule in enumerate(checked):
                _upsert(conn, rule, i + 1)
        else:
            for rule in checked:
                _upsert(conn, rule, None)
    return len(checked)


def delete_rule(db: Database, uuid: str) -> bool:
    """Mark a rule deleted (kept as a tombstone for sync); False if there was none."""
    with db.engine.begin() as conn:
        res = conn.execute(update(t).where(t.c.uuid == uuid, t.c.deleted.is_(False))
                           .values(deleted=True, updated_at=time.time(), version=t.c.version + 1))
        if res.rowcount:
            rule_changed(conn, uuid)
    return res.rowcount > 0


def set_enabled(db: Database, uuid: str, enabled: bool) -> bool:
    """Switch a rule on or off; False if there is no such rule."""
    rule = get_rule(db, uuid)
    if rule is None:
        return False
    rule.enabled = enabled
    save_rule(db, rule)
    return True


def reorder(db: Database, uuids: Sequence[str]) -> None:
    """Put the rules in this order (first = tried first); rules not listed keep theirs, after."""
    now = time.time()
    with db.engine.begin() as conn:
        for i, uuid in enumerate(uuids):
            conn.execute(update(t).where(t.c.uuid == uuid).values(
                position=i + 1, updated_at=now, version=t.c.version + 1))
            rule_changed(conn, uuid)
        rest = conn.execute(select(t.c.uuid).where(t.c.uuid.not_in(list(uuids)), t.c.deleted.is_(False))
                            .order_by(t.c.position, t.c.id)).scalars().all()
        for j, uuid in enumerate(rest):
            conn.execute(update(t).where(t.c.uuid == uuid).values(position=len(uuids) + j + 1))
