"""/api/v1/operations: history entries devices push (client UUIDs make retries idempotent),
with status and progress; progress updates are broadcast to /ws/operations/{id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deps import audit, current_user, get_session
from ..envelope import iso, ok
from ..models import Device, Operation, User, utcnow
from ..schemas import OperationIn, OperationUpdate, Status
from .common import Page, PerPage, commit_create, existing_for_retry, owned, owned_device, paged

router = APIRouter(prefix="/operations", tags=["operations"])


def operation_out(o: Operation) -> dict:
    return {"id": o.id, "device_id": o.device_id, "kind": o.kind, "status": o.status,
            "progress": o.progress, "message": o.message, "summary": o.summary,
            "created_at": iso(o.created_at), "updated_at": iso(o.updated_at)}


def progress_message(o: Operation) -> dict:
    return {"operation_id": o.id, "status": o.status, "progress": o.progress, "message": o.message}


@router.post("", status_code=201, summary="Push a history entry (a retry with the same id answers it)")
def create_operation(body: OperationIn, user: User = Depends(current_user),
                     session: Session = Depends(get_session)):
    found = existing_for_retry(session, Operation, body.id, user)
    if found:
        return ok(operation_out(found))
    op = Operation(id=str(body.id or uuid.uuid4()), user_id=user.id,
                   device_id=owned_device(session, body.device_id, user), kind=body.kind,
                   status=body.status, progress=body.progress, message=body.message,
                   summary=body.summary)
    session.add(op)
    op, created = commit_create(session, Operation, op, user)
    return ok(operation_out(op), 201 if created else 200)


@router.get("", summary="The user's operations, newest first")
def list_operations(page: Page = 1, per_page: PerPage = 50,
                    device_id: Annotated[uuid.UUID | None, Query()] = None,
                    status: Annotated[Status | None, Query()] = None,
                    user: User = Depends(current_user), session: Session = Depends(get_session)):
    stmt = select(Operation).where(Operation.user_id == user.id)
    if device_id is not None:
        stmt = stmt.where(Operation.device_id == owned(session, Device, device_id, user, "device").id)
    if status is not None:
        stmt = stmt.where(Operation.status == status)
    items, total = paged(session, stmt.order_by(Operation.created_at.desc(), Operation.id),
                         page, per_page)
    return ok({"items": [operation_out(o) for o in items], "page": page, "per_page": per_page,
               "total": total})


@router.get("/{operation_id}", summary="One operation with its status and progress")
def get_operation(operation_id: uuid.UUID, user: User = Depends(current_user),
                  session: Session = Depends(get_session)):
    return ok(operation_out(owned(session, Operation, operation_id, user, "operation")))


@router.patch("/{operation_id}", summary="Report status/progress (broadcast to WebSocket watchers)")
def update_operation(operation_id: uuid.UUID, body: OperationUpdate, request: Request,
                     user: User = Depends(current_user), session: Session = Depends(get_session)):
    op = owned(session, Operation, operation_id, user, "operation")
    for name in ("status", "progress", "message", "summary"):
        value = getattr(body, name)
        if value is not None:
            setattr(op, name, value)
    op.updated_at = utcnow()
    session.commit()
    request.app.state.bus.publish(op.id, progress_message(op))
    return ok(operation_out(op))


@router.delete("/{operation_id}", summary="Delete a history entry")
def delete_operation(operation_id: uuid.UUID, request: Request, user: User = Depends(current_user),
                     session: Session = Depends(get_session)):
    session.delete(owned(session, Operation, operation_id, user, "operation"))
    audit(session, request, "delete", user.id, resource="operation", id=str(operation_id))
    session.commit()
    return ok({"deleted": True, "id": str(operation_id)})
