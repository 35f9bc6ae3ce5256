"""/api/v1/auth: register, login, refresh (rotating), logout, me."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import tokens
from ..deps import audit, current_user, get_session, get_settings
from ..envelope import APIError, iso, ok
from ..models import User
from ..schemas import Credentials, RefreshIn
from ..settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])


def user_out(user: User) -> dict:
    return {"id": user.id, "email": user.email, "created_at": iso(user.created_at)}


@router.post("/register", status_code=201, summary="Create an account and sign in")
def register(body: Credentials, request: Request, session: Session = Depends(get_session),
             settings: Settings = Depends(get_settings)):
    if session.scalar(select(User.id).where(User.email == body.email)):
        raise APIError(409, "email_taken", "An account with this email already exists.")
    user = User(email=body.email, password_hash=request.app.state.passwords.hash(body.password))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise APIError(409, "email_taken", "An account with this email already exists.") from None
    pair = tokens.start_family(session, settings, user)
    audit(session, request, "register", user.id)
    session.commit()
    return ok(pair, 201)


@router.post("/login", summary="Sign in with email and password")
def login(body: Credentials, request: Request, session: Session = Depends(get_session),
          settings: Settings = Depends(get_settings)):
    user = session.scalar(select(User).where(User.email == body.email))
    if not request.app.state.passwords.verify(user.password_hash if user else None, body.password):
        audit(session, request, "login_failed", user.id if user else None, email=body.email)
        session.commit()
        raise APIError(401, "invalid_credentials", "The email or password is wrong.")
    pair = tokens.start_family(session, settings, user)
    audit(session, request, "login", user.id)
    session.commit()
    return ok(pair)


@router.post("/refresh", summary="Exchange a refresh token for a new token pair (rotation)")
def refresh(body: RefreshIn, request: Request, session: Session = Depends(get_session),
            settings: Settings = Depends(get_settings)):
    try:
        pair = tokens.rotate(session, settings, body.refresh_token)
    except tokens.ReusedToken as reused:
        audit(session, request, "refresh_reuse", reused.user_id, family=reused.family_id)
        session.commit()
        raise APIError(401, "token_reused", "This refresh token was already used: the session is "
                                            "signed out for safety. Sign in again.") from None
    session.commit()
    return ok(pair)


@router.post("/logout", summary="Revoke the refresh token and its whole sign-in")
def logout(body: RefreshIn, request: Request, session: Session = Depends(get_session),
           settings: Settings = Depends(get_settings)):
    claims = tokens.decode(settings, body.refresh_token, "refresh")
    tokens.revoke_family(session, claims["fam"])
    audit(session, request, "logout", claims["sub"])
    session.commit()
    return ok({"revoked": True})


@router.get("/me", summary="The signed-in user")
def me(user: User = Depends(current_user)):
    return ok(user_out(user))
