"""/api/v1/reports: stored report data, exported as JSON, CSV or HTML."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import export
from ..deps import audit, current_user, get_session
from ..envelope import iso, ok
from ..models import Report, User
from ..schemas import ReportIn
from .common import Page, PerPage, commit_create, existing_for_retry, owned, owned_device, paged

router = APIRouter(prefix="/reports", tags=["reports"])
MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


def report_out(r: Report) -> dict:
    return {"id": r.id, "device_id": r.device_id, "title": r.title, "summary": r.summary,
            "tables": r.tables, "created_at": iso(r.created_at)}


@router.post("", status_code=201, summary="Store a report (idempotent with a client id)")
def create_report(body: ReportIn, user: User = Depends(current_user),
                  session: Session = Depends(get_session)):
    found = existing_for_retry(session, Report, body.id, user)
    if found:
        return ok(report_out(found))
    report = Report(id=str(body.id or uuid.uuid4()), user_id=user.id,
                    device_id=owned_device(session, body.device_id, user), title=body.title,
                    summary=body.summary, tables=[t.model_dump() for t in body.tables])
    session.add(report)
    report, created = commit_create(session, Report, report, user)
    return ok(report_out(report), 201 if created else 200)


@router.get("", summary="The user's reports, newest first (without their tables)")
def list_reports(page: Page = 1, per_page: PerPage = 50, user: User = Depends(current_user),
                 session: Session = Depends(get_session)):
    stmt = select(Report).where(Report.user_id == user.id).order_by(Report.created_at.desc(), Report.id)
    items, total = paged(session, stmt, page, per_page)
    return ok({"items": [{k: v for k, v in report_out(r).items() if k != "tables"} for r in items],
               "page": page, "per_page": per_page, "total": total})


@router.get("/{report_id}", summary="One report with its data")
def get_report(report_id: uuid.UUID, user: User = Depends(current_user),
               session: Session = Depends(get_session)):
    return ok(report_out(owned(session, Report, report_id, user, "report")))


@router.get("/{report_id}/export", summary="Download a report as JSON, CSV or HTML",
            responses={200: {"content": {"text/csv": {}, "text/html": {}}}})
def export_report(report_id: uuid.UUID,
                  format: Annotated[Literal["json", "csv", "html"], Query()] = "json",
                  user: User = Depends(current_user), session: Session = Depends(get_session)):
    data = report_out(owned(session, Report, report_id, user, "report"))
    body = {"json": export.to_json, "csv": export.to_csv, "html": export.to_html}[format](data)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", data["title"])[:60].strip("._") or "report"
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{format}"'}
    if format == "html":
        headers["Content-Security-Policy"] = export.HTML_CSP
    return Response(body, media_type=MEDIA[format], headers=headers)


@router.delete("/{report_id}", summary="Delete a report")
def delete_report(report_id: uuid.UUID, request: Request, user: User = Depends(current_user),
                  session: Session = Depends(get_session)):
    session.delete(owned(session, Report, report_id, user, "report"))
    audit(session, request, "delete", user.id, resource="report", id=str(report_id))
    session.commit()
    return ok({"deleted": True, "id": str(report_id)})
