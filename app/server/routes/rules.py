"""/api/v1/rules: organizing rules, synced between devices.

Each change bumps the rule's version and stamps it with the user's next change sequence number.
GET /rules?since=N answers every rule changed after cursor N, deletions included (as tombstones
with "deleted": true), plus the new cursor; the client stores the cursor for its next pull.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..deps import audit, current_user, get_session
from ..envelope import iso, not_found, ok
from ..models import Rule, User, utcnow
from ..schemas import MAX_INT, RuleIn, RuleUpdate
from .common import check_version, commit_create, existing_for_retry, owned

router = APIRouter(prefix="/rules", tags=["rules"])


def rule_out(r: Rule) -> dict:
    return {"id": r.id, "name": r.name, "enabled": r.enabled, "priority": r.priority,
            "definition": r.definition, "version": r.version, "seq": r.seq, "deleted": r.deleted,
            "created_at": iso(r.created_at), "updated_at": iso(r.updated_at)}


def next_seq(session: Session, user: User) -> int:
    """The user's next change number. The row update locks the user until commit, so changes
    commit in sequence order and a reader holding cursor N never misses a later change."""
    return session.execute(update(User).where(User.id == user.id)
                           .values(change_seq=User.change_seq + 1)
                           .returning(User.change_seq)).scalar_one()


@router.get("", summary="The user's rules, or the changes since a sync cursor")
def list_rules(since: Annotated[int | None, Query(ge=0, le=MAX_INT, description=(
        "A cursor from an earlier answer: only rules changed after it, deletions included"))] = None,
        user: User = Depends(current_user), session: Session = Depends(get_session)):
    stmt = select(Rule).where(Rule.user_id == user.id)
    if since is None:
        stmt = stmt.where(Rule.deleted.is_(False)).order_by(Rule.priority, Rule.created_at)
    else:
        stmt = stmt.where(Rule.seq > since).order_by(Rule.seq)
    rules = session.scalars(stmt).all()
    cursor = session.scalar(select(User.change_seq).where(User.id == user.id))
    return ok({"items": [rule_out(r) for r in rules], "cursor": cursor})


@router.post("", status_code=201, summary="Create a rule (idempotent with a client id)")
def create_rule(body: RuleIn, user: User = Depends(current_user),
                session: Session = Depends(get_session)):
    found = existing_for_retry(session, Rule, body.id, user)
    if found:
        return ok(rule_out(found))
    rule = Rule(id=str(body.id or uuid.uuid4()), user_id=user.id, name=body.name, enabled=body.enabled,
                priority=body.priority, definition=body.definition, version=1,
                seq=next_seq(session, user))
    session.add(rule)
    rule, created = commit_create(session, Rule, rule, user)
    return ok(rule_out(rule), 201 if created else 200)


@router.get("/{rule_id}", summary="One rule")
def get_rule(rule_id: uuid.UUID, user: User = Depends(current_user),
             session: Session = Depends(get_session)):
    return ok(rule_out(owned(session, Rule, rule_id, user, "rule")))


@router.put("/{rule_id}", summary="Replace a rule (optimistic: send the version you last saw)")
def update_rule(rule_id: uuid.UUID, body: RuleUpdate, user: User = Depends(current_user),
                session: Session = Depends(get_session)):
    seq = next_seq(session, user)  # lock first, then read the rule as it is now
    rule = owned(session, Rule, rule_id, user, "rule")
    check_version(rule, body.version, "rule")
    rule.name, rule.enabled, rule.priority = body.name, body.enabled, body.priority
    rule.definition = body.definition
    rule.version += 1
    rule.seq, rule.updated_at = seq, utcnow()
    session.commit()
    return ok(rule_out(rule))


@router.delete("/{rule_id}", summary="Delete a rule (kept as a tombstone for sync)")
def delete_rule(rule_id: uuid.UUID, request: Request,
                version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
                user: User = Depends(current_user), session: Session = Depends(get_session)):
    seq = next_seq(session, user)
    rule = session.get(Rule, str(rule_id))
    if rule is None or rule.user_id != user.id or rule.deleted:
        raise not_found("rule")
    check_version(rule, version, "rule")
    rule.deleted, rule.version, rule.seq, rule.updated_at = True, rule.version + 1, seq, utcnow()
    audit(session, request, "delete", user.id, resource="rule", id=str(rule_id))
    session.commit()
    return ok({"deleted": True, "id": str(rule_id), "version": rule.version, "seq": rule.seq})
