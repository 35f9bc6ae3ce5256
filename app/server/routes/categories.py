"""/api/v1/categories: the user's file categories (name, extensions, colour)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deps import audit, current_user, get_session
from ..envelope import APIError, iso, ok
from ..models import Category, User, utcnow
from ..schemas import CategoryIn, CategoryUpdate
from .common import check_version, commit_create, existing_for_retry, owned

router = APIRouter(prefix="/categories", tags=["categories"])


def category_out(c: Category) -> dict:
    return {"id": c.id, "name": c.name, "extensions": c.extensions, "color": c.color,
            "version": c.version, "updated_at": iso(c.updated_at)}


def normalize(extensions: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for ext in extensions:
        seen["." + ext.lower().lstrip(".")] = None
    return list(seen)


def name_taken(session: Session, user: User, name: str, except_id: str | None = None) -> bool:
    stmt = select(Category.id).where(Category.user_id == user.id, Category.name == name)
    if except_id:
        stmt = stmt.where(Category.id != except_id)
    return session.scalar(stmt) is not None


@router.get("", summary="The user's categories")
def list_categories(user: User = Depends(current_user), session: Session = Depends(get_session)):
    rows = session.scalars(select(Category).where(Category.user_id == user.id).order_by(Category.name))
    return ok([category_out(c) for c in rows])


@router.post("", status_code=201, summary="Create a category (idempotent with a client id)")
def create_category(body: CategoryIn, user: User = Depends(current_user),
                    session: Session = Depends(get_session)):
    found = existing_for_retry(session, Category, body.id, user)
    if found:
        return ok(category_out(found))
    if name_taken(session, user, body.name):
        raise APIError(409, "name_taken", "A category with this name exists already.")
    category = Category(id=str(body.id or uuid.uuid4()), user_id=user.id, name=body.name,
                        extensions=normalize(body.extensions), color=body.color)
    session.add(category)
    category, created = commit_create(session, Category, category, user)
    return ok(category_out(category), 201 if created else 200)


@router.get("/{category_id}", summary="One category")
def get_category(category_id: uuid.UUID, user: User = Depends(current_user),
                 session: Session = Depends(get_session)):
    return ok(category_out(owned(session, Category, category_id, user, "category")))


@router.put("/{category_id}", summary="Replace a category (send the version you last saw)")
def update_category(category_id: uuid.UUID, body: CategoryUpdate, user: User = Depends(current_user),
                    session: Session = Depends(get_session)):
    category = owned(session, Category, category_id, user, "category")
    check_version(category, body.version, "category")
    if name_taken(session, user, body.name, category.id):
        raise APIError(409, "name_taken", "A category with this name exists already.")
    category.name, category.color = body.name, body.color
    category.extensions = normalize(body.extensions)
    category.version += 1
    category.updated_at = utcnow()
    commit_create(session)
    return ok(category_out(category))


@router.delete("/{category_id}", summary="Delete a category")
def delete_category(category_id: uuid.UUID, request: Request, user: User = Depends(current_user),
                    session: Session = Depends(get_session)):
    session.delete(owned(session, Category, category_id, user, "category"))
    audit(session, request, "delete", user.id, resource="category", id=str(category_id))
    session.commit()
    return ok({"deleted": True, "id": str(category_id)})
