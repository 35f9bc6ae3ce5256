"""/api/v1/audit: the signed-in user's own security events (sign-ins, failures, deletions);
/api/v1/account: delete the account and everything stored for it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..deps import audit_log, client_ip, current_user, get_session, get_settings
from ..envelope import APIError, iso, ok
from ..models import AuditEvent, User
from ..schemas import PasswordConfirm
from ..settings import Settings
from .auth import THROTTLED, check_password
from .common import Page, PerPage, paged

router = APIRouter(tags=["auth"])


@router.get("/audit", summary="The signed-in user's audit log, newest first")
def list_audit(page: Page = 1, per_page: PerPage = 50, user: User = Depends(current_user),
               session: Session = Depends(get_session)):
    stmt = select(AuditEvent).where(AuditEvent.user_id == user.id).order_by(AuditEvent.id.desc())
    items, total = paged(session, stmt, page, per_page)
    return ok({"items": [{"at": iso(e.at), "event": e.event, "ip": e.ip, "detail": e.detail}
                         for e in items], "page": page, "per_page": per_page, "total": total})


@router.delete("/account", summary="Delete the account and all its data (needs the password)",
               responses={403: {"description": "The password is wrong"}, **THROTTLED})
def delete_account(body: PasswordConfirm, request: Request, user: User = Depends(current_user),
                   session: Session = Depends(get_session),
                   settings: Settings = Depends(get_settings)):
    """Every row of the user goes with it (foreign keys cascade: sign-ins, devices, rules,
    categories, scans, files, operations, reports) and its audit events; the deletion itself
    is written to the server log, which keeps no personal data beyond the user id."""
    if not check_password(request, settings, user, user.email, body.password):
        raise APIError(403, "wrong_password", "The password is wrong.")
    user_id = user.id
    session.execute(delete(AuditEvent).where(AuditEvent.user_id == user_id))
    session.delete(user)
    session.commit()
    audit_log.info("account_deleted", extra={"audit": {"event": "account_deleted",
                                                       "user_id": user_id,
                                                       "ip": client_ip(request)}})
    return ok({"deleted": True})
