"""Request dependencies: database session, settings, the signed-in user, audit records."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from . import tokens
from .envelope import APIError
from .models import AuditEvent, User
from .settings import Settings

audit_log = logging.getLogger("app.server.audit")
bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_from_token(session: Session, settings: Settings, token: str) -> User:
    """The user an access token belongs to, if the token and its sign-in are still valid."""
    claims = tokens.decode(settings, token, "access")
    if not tokens.family_active(session, claims["fam"], claims["sub"]):
        raise APIError(401, "token_revoked", "This session was signed out: sign in again.")
    user = session.get(User, claims["sub"])
    if user is None:
        raise APIError(401, "invalid_token", "The token is not valid.")
    return user


def current_user(request: Request,
                 credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                 session: Session = Depends(get_session),
                 settings: Settings = Depends(get_settings)) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise APIError(401, "unauthorized", "Sign in first: this needs an access token.",
                       {"WWW-Authenticate": "Bearer"})
    user = user_from_token(session, settings, credentials.credentials)
    request.state.user_id = user.id
    return user


def audit(session: Session, request: Request, event: str, user_id: str | None, **detail) -> None:
    """Record a security-relevant event (sign-ins, failures, deletions) in the table and the log."""
    ip = client_ip(request)
    session.add(AuditEvent(user_id=user_id, event=event, ip=ip, detail=detail))
    audit_log.info(event, extra={"audit": {"event": event, "user_id": user_id, "ip": ip, **detail}})
