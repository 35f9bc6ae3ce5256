"""Helpers every resource route uses: ownership checks, idempotent creation, paging."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from fastapi import Query
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..envelope import APIError, not_found
from ..models import Device, User

T = TypeVar("T")

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Items per page")]


def owned(session: Session, model: type[T], item_id: uuid.UUID | str, user: User, what: str) -> T:
    """The user's object with this id; another user's object is reported as missing (404)."""
    obj = session.get(model, str(item_id))
    if obj is None or obj.user_id != user.id or getattr(obj, "deleted", False):
        raise not_found(what)
    return obj


def existing_for_retry(session: Session, model: type[T], item_id: uuid.UUID | None, user: User):
    """For a create with a client-chosen id: the user's object if it exists already (a retry)."""
    if item_id is None:
        return None
    obj = session.get(model, str(item_id))
    if obj is None:
        return None
    if obj.user_id != user.id:
        raise APIError(409, "id_conflict", "This id is already taken: generate a new one.")
    return obj


def check_version(obj, expected: int | None, what: str) -> None:
    """Optimistic concurrency: a 409 when the client last saw another version than the stored one."""
    if expected is not None and expected != obj.version:
        raise APIError(409, "version_conflict", f"The {what} changed elsewhere (now version "
                                                f"{obj.version}): fetch it and merge.")


def owned_device(session: Session, device_id: uuid.UUID | None, user: User) -> str | None:
    if device_id is None:
        return None
    return owned(session, Device, device_id, user, "device").id


def commit_create(session: Session, model: type[T] | None = None, obj: T | None = None,
                  user: User | None = None) -> tuple[T | None, bool]:
    """Commit a create; returns (the object, created). A concurrent create with the same client
    id (a retry racing the first try, maybe in another server process) loses the insert race:
    it answers the object the other request made, so creates stay idempotent. A conflict on
    anything else (a unique name) is a 409."""
    obj_id = getattr(obj, "id", None)
    try:
        session.commit()
        return obj, True
    except IntegrityError:
        session.rollback()
    if model is not None and obj_id is not None and user is not None:
        found = existing_for_retry(session, model, obj_id, user)
        if found is not None:
            return found, False
    raise APIError(409, "conflict", "This object already exists: fetch it and retry.")


def paged(session: Session, stmt, page: int, per_page: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), int(total or 0)
