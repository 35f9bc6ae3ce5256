"""/api/v1/devices: the computers a user syncs from."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deps import audit, current_user, get_session
from ..envelope import iso, ok
from ..models import Device, User
from ..schemas import DeviceIn
from .common import commit_create, existing_for_retry, owned

router = APIRouter(prefix="/devices", tags=["devices"])


def device_out(d: Device) -> dict:
    return {"id": d.id, "name": d.name, "platform": d.platform, "created_at": iso(d.created_at),
            "last_seen_at": iso(d.last_seen_at)}


@router.post("", status_code=201, summary="Register a device (idempotent with a client id)")
def create_device(body: DeviceIn, user: User = Depends(current_user),
                  session: Session = Depends(get_session)):
    found = existing_for_retry(session, Device, body.id, user)
    if found:
        return ok(device_out(found))
    device = Device(id=str(body.id or uuid.uuid4()), user_id=user.id, name=body.name,
                    platform=body.platform)
    session.add(device)
    device, created = commit_create(session, Device, device, user)
    return ok(device_out(device), 201 if created else 200)


@router.get("", summary="The user's devices")
def list_devices(user: User = Depends(current_user), session: Session = Depends(get_session)):
    rows = session.scalars(select(Device).where(Device.user_id == user.id).order_by(Device.created_at))
    return ok([device_out(d) for d in rows])


@router.get("/{device_id}", summary="One device")
def get_device(device_id: uuid.UUID, user: User = Depends(current_user),
               session: Session = Depends(get_session)):
    return ok(device_out(owned(session, Device, device_id, user, "device")))


@router.delete("/{device_id}", summary="Forget a device and everything it uploaded")
def delete_device(device_id: uuid.UUID, request: Request, user: User = Depends(current_user),
                  session: Session = Depends(get_session)):
    device = owned(session, Device, device_id, user, "device")
    session.delete(device)
    audit(session, request, "delete", user.id, resource="device", id=str(device_id))
    session.commit()
    return ok({"deleted": True, "id": str(device_id)})
