"""/api/v1/audit: the signed-in user's own security events (sign-ins, failures, deletions)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deps import current_user, get_session
from ..envelope import iso, ok
from ..models import AuditEvent, User
from .common import Page, PerPage, paged

router = APIRouter(tags=["auth"])


@router.get("/audit", summary="The signed-in user's audit log, newest first")
def list_audit(page: Page = 1, per_page: PerPage = 50, user: User = Depends(current_user),
               session: Session = Depends(get_session)):
    stmt = select(AuditEvent).where(AuditEvent.user_id == user.id).order_by(AuditEvent.id.desc())
    items, total = paged(session, stmt, page, per_page)
    return ok({"items": [{"at": iso(e.at), "event": e.event, "ip": e.ip, "detail": e.detail}
                         for e in items], "page": page, "per_page": per_page, "total": total})
