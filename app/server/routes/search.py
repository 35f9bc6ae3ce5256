"""/api/v1/files and /api/v1/duplicates: searching what devices uploaded."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from ..deps import current_user, get_session
from ..envelope import iso, ok
from ..models import Device, DuplicateGroup, FileEntry, Scan, User
from ..schemas import MAX_INT, Text
from .common import Page, PerPage, owned, paged

router = APIRouter(tags=["files"])


def file_out(f: FileEntry) -> dict:
    return {"path": f.path, "size": f.size, "category": f.category, "hash": f.hash,
            "mtime": iso(f.mtime), "device_id": f.device_id, "scan_id": f.scan_id}


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@router.get("/files", summary="Search uploaded file metadata (paged)")
def search_files(
        device_id: Annotated[uuid.UUID | None, Query()] = None,
        scan_id: Annotated[uuid.UUID | None, Query()] = None,
        q: Annotated[Text(500) | None, Query(description="Substring of the path")] = None,
        category: Annotated[Text(100) | None, Query()] = None,
        hash: Annotated[str | None, Query(max_length=128, pattern=r"^[0-9a-fA-F]+$")] = None,
        min_size: Annotated[int | None, Query(ge=0, le=MAX_INT)] = None,
        page: Page = 1, per_page: PerPage = 50,
        user: User = Depends(current_user), session: Session = Depends(get_session)):
    stmt = select(FileEntry).where(FileEntry.user_id == user.id)
    if device_id is not None:
        stmt = stmt.where(FileEntry.device_id == owned(session, Device, device_id, user, "device").id)
    if scan_id is not None:
        stmt = stmt.where(FileEntry.scan_id == owned(session, Scan, scan_id, user, "scan").id)
    if q:
        stmt = stmt.where(FileEntry.path.like(like_pattern(q), escape="\\"))
    if category:
        stmt = stmt.where(FileEntry.category == category)
    if hash:
        stmt = stmt.where(FileEntry.hash == hash.lower())
    if min_size is not None:
        stmt = stmt.where(FileEntry.size >= min_size)
    items, total = paged(session, stmt.order_by(FileEntry.path, FileEntry.id), page, per_page)
    return ok({"items": [file_out(f) for f in items], "page": page, "per_page": per_page,
               "total": total})


@router.get("/duplicates", summary="Duplicate groups and reclaimable bytes (paged, largest first)")
def list_duplicates(
        scan_id: Annotated[uuid.UUID | None, Query()] = None,
        page: Page = 1, per_page: PerPage = 50,
        user: User = Depends(current_user), session: Session = Depends(get_session)):
    where = [DuplicateGroup.user_id == user.id]
    if scan_id is not None:
        where.append(DuplicateGroup.scan_id == owned(session, Scan, scan_id, user, "scan").id)
    stmt = select(DuplicateGroup).where(*where).order_by(DuplicateGroup.reclaimable_bytes.desc(),
                                                         DuplicateGroup.id)
    items, total = paged(session, stmt, page, per_page)
    # summed as floats: a BIGINT sum could overflow
    total_bytes = func.coalesce(func.sum(cast(DuplicateGroup.reclaimable_bytes, Float)), 0)
    reclaimable = session.scalar(select(total_bytes).where(*where))
    return ok({"items": [{"scan_id": g.scan_id, "hash": g.hash, "size": g.size, "paths": g.paths,
                          "reclaimable_bytes": g.reclaimable_bytes} for g in items],
               "page": page, "per_page": per_page, "total": total,
               "reclaimable_bytes": int(reclaimable or 0)})
