"""Request dependencies: database session, settings, the signed-in user, audit records."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from . import tokens
from .envelope import APIError
from .models import AuditEvent, TokenFamily, User
from .settings import Settings

audit_log = logging.getLogger("app.server.audit")
bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login")


# The cheap dependencies are async so that they run on the event loop: a sync dependency costs a
# hop to the thread pool per request each, which measurably cut throughput under load.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; creating it does no I/O, closing it (rollback, return the
    connection to the pool) runs in the thread pool."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_from_token(session: Session, settings: Settings, token: str) -> User:
    """The user an access token belongs to, if the token and its sign-in are still valid."""
    return user_and_claims(session, settings, token)[0]


def user_and_claims(session: Session, settings: Settings, token: str) -> tuple[User, dict]:
    """The user and the claims (sign-in "fam", expiry "exp") of a valid access token."""
    claims = tokens.decode(settings, token, "access")
    row = session.execute(select(User, TokenFamily.revoked_at)
                          .join(TokenFamily, TokenFamily.user_id == User.id)
                          .where(User.id == claims["sub"], TokenFamily.id == claims["fam"])).first()
    if row is None:
        raise APIError(401, "invalid_token", "The token is not valid.")
    if row.revoked_at is not None:
        raise APIError(401, "token_revoked", "This session was signed out: sign in again.")
    return row.User, claims


def current_user(request: Request,
                 credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                 session: Session = Depends(get_session),
                 settings: Settings = Depends(get_settings)) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise APIError(401, "unauthorized", "Sign in first: this needs an access token.",
                       {"WWW-Authenticate": "Bearer"})
    user, claims = user_and_claims(session, settings, credentials.credentials)
    request.state.user_id, request.state.family_id = user.id, claims["fam"]
    return user


def audit(session: Session, request: Request, event: str, user_id: str | None, **detail) -> None:
    """Record a security-relevant event (sign-ins, failures, deletions) in the table and the log."""
    ip = client_ip(request)
    session.add(AuditEvent(user_id=user_id, event=event, ip=ip, detail=detail))
    audit_log.info(event, extra={"audit": {"event": event, "user_id": user_id, "ip": ip, **detail}})
