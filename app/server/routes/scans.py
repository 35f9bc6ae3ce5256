"""/api/v1/scans: scan summaries a device uploads, with its file metadata and duplicate groups."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..deps import audit, current_user, get_session
from ..envelope import iso, ok
from ..models import Device, DuplicateGroup, FileEntry, Scan, User
from ..schemas import MAX_INT, DuplicatesIn, FilesIn, ScanIn
from .common import Page, PerPage, commit_create, existing_for_retry, owned, owned_device, paged

router = APIRouter(prefix="/scans", tags=["scans"])


def scan_out(s: Scan) -> dict:
    return {"id": s.id, "device_id": s.device_id, "roots": s.roots, "total_files": s.total_files,
            "total_bytes": s.total_bytes, "by_category": s.by_category,
            "by_extension": s.by_extension, "by_age": s.by_age, "created_at": iso(s.created_at)}


@router.post("", status_code=201, summary="Upload a scan summary (idempotent with a client id)")
def create_scan(body: ScanIn, user: User = Depends(current_user), session: Session = Depends(get_session)):
    found = existing_for_retry(session, Scan, body.id, user)
    if found:
        return ok(scan_out(found))
    scan = Scan(id=str(body.id or uuid.uuid4()), user_id=user.id,
                device_id=owned_device(session, body.device_id, user), roots=body.roots,
                total_files=body.total_files, total_bytes=body.total_bytes,
                by_category={k: v.model_dump() for k, v in body.by_category.items()},
                by_extension={k: v.model_dump() for k, v in body.by_extension.items()},
                by_age={k: v.model_dump() for k, v in body.by_age.items()})
    session.add(scan)
    scan, created = commit_create(session, Scan, scan, user)
    return ok(scan_out(scan), 201 if created else 200)


@router.get("", summary="The user's scans, newest first, optionally of one device")
def list_scans(page: Page = 1, per_page: PerPage = 50,
               device_id: Annotated[uuid.UUID | None, Query()] = None,
               user: User = Depends(current_user), session: Session = Depends(get_session)):
    stmt = select(Scan).where(Scan.user_id == user.id).order_by(Scan.created_at.desc(), Scan.id)
    if device_id is not None:
        stmt = stmt.where(Scan.device_id == owned(session, Device, device_id, user, "device").id)
    items, total = paged(session, stmt, page, per_page)
    return ok({"items": [scan_out(s) for s in items], "page": page, "per_page": per_page,
               "total": total})


@router.get("/{scan_id}", summary="One scan summary")
def get_scan(scan_id: uuid.UUID, user: User = Depends(current_user), session: Session = Depends(get_session)):
    return ok(scan_out(owned(session, Scan, scan_id, user, "scan")))


@router.delete("/{scan_id}", summary="Delete a scan with its files and duplicate groups")
def delete_scan(scan_id: uuid.UUID, request: Request, user: User = Depends(current_user),
                session: Session = Depends(get_session)):
    session.delete(owned(session, Scan, scan_id, user, "scan"))
    audit(session, request, "delete", user.id, resource="scan", id=str(scan_id))
    session.commit()
    return ok({"deleted": True, "id": str(scan_id)})


def _upsert_files(session: Session, rows: list[dict]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        stmt = module.insert(FileEntry)
        stmt = stmt.on_conflict_do_update(
            index_elements=["scan_id", "path"],
            set_={c: getattr(stmt.excluded, c) for c in ("size", "category", "hash", "mtime")})
        session.execute(stmt, rows)
    else:
        session.execute(insert(FileEntry), rows)


@router.post("/{scan_id}/files", summary="Upload a batch of the scan's file metadata (retry-safe)")
def upload_files(scan_id: uuid.UUID, body: FilesIn, user: User = Depends(current_user),
                 session: Session = Depends(get_session)):
    scan = owned(session, Scan, scan_id, user, "scan")
    rows = {f.path: {"user_id": user.id, "device_id": scan.device_id, "scan_id": scan.id,
                     "path": f.path, "size": f.size, "category": f.category, "hash": f.hash.lower(),
                     "mtime": f.mtime} for f in body.files}  # last one wins on repeated paths
    if rows:
        _upsert_files(session, list(rows.values()))
    session.commit()
    return ok({"scan_id": scan.id, "received": len(rows)})


@router.put("/{scan_id}/duplicates", summary="Store the scan's duplicate groups (replaces earlier ones)")
def put_duplicates(scan_id: uuid.UUID, body: DuplicatesIn, user: User = Depends(current_user),
                   session: Session = Depends(get_session)):
    scan = owned(session, Scan, scan_id, user, "scan")
    session.execute(delete(DuplicateGroup).where(DuplicateGroup.scan_id == scan.id))
    total = 0
    for g in body.groups:
        paths = list(dict.fromkeys(g.paths))
        reclaimable = min(g.size * max(len(paths) - 1, 0), MAX_INT)  # fits BIGINT
        total += reclaimable
        session.add(DuplicateGroup(user_id=user.id, scan_id=scan.id, hash=g.hash.lower(), size=g.size,
                                   paths=paths, reclaimable_bytes=reclaimable))
    session.commit()
    return ok({"scan_id": scan.id, "groups": len(body.groups), "reclaimable_bytes": total})
