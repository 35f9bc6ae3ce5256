"""/api/v1/auth: register, login, refresh (rotating), logout, logout everywhere, password, me.

Failed sign-ins are throttled per target account and per client address (app.server.throttle),
whatever token comes with the request; registrations are limited per address. Registering an
existing email answers 409 `email_taken` (documented choice: without email verification, a
sign-up must tell the user the address is taken), after the same password hashing a new account
costs, so the answer takes the same time; the per-address limit bounds how many addresses one
client can test that way.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import tokens
from ..deps import audit, client_ip, current_user, get_session, get_settings
from ..envelope import APIError, iso, ok
from ..models import TokenFamily, User, utcnow
from ..passwords import check_new_password
from ..schemas import Credentials, PasswordChange, RefreshIn
from ..settings import Settings
from ..throttle import Backoff

router = APIRouter(prefix="/auth", tags=["auth"])
THROTTLED = {429: {"description": "Too many failed sign-ins or sign-ups: wait Retry-After "
                                  "seconds"}}


def user_out(user: User) -> dict:
    return {"id": user.id, "email": user.email, "created_at": iso(user.created_at)}


def _too_many(what: str, seconds: float) -> APIError:
    wait = max(1, math.ceil(seconds))
    return APIError(429, "rate_limited", f"Too many {what}: try again in {wait:,} s.",
                    {"Retry-After": str(wait)})


def account_rule(settings: Settings) -> Backoff:
    return Backoff(settings.login_free_failures, settings.login_backoff_base,
                   settings.login_backoff_max, settings.login_failure_ttl)


def address_rule(settings: Settings) -> Backoff:
    return Backoff(settings.login_free_failures_ip, settings.login_backoff_base,
                   settings.login_backoff_max, settings.login_failure_ttl)


def check_password(request: Request, settings: Settings, user: User | None, email: str,
                   password: str) -> bool:
    """Verify a password under the sign-in throttle (per account, per address): a 429 while
    a back-off runs; a success clears the account's failures. From an address that signed in to
    this account before, the account's back-off counts for that address alone, so guesses from
    elsewhere cannot keep the owner out."""
    throttle = request.app.state.throttle
    ip = client_ip(request)
    ip_key, account_key = "login-ip:" + ip, "login-account:" + email
    trusted_key = f"login-known:{email}|{ip}"
    if throttle.known(trusted_key):
        account_key = f"login-pair:{email}|{ip}"
    wait = throttle.attempt(ip_key, address_rule(settings))
    if wait > 0:
        raise _too_many("failed sign-ins from this address", wait)
    wait = throttle.attempt(account_key, account_rule(settings))
    if wait > 0:
        throttle.succeeded(ip_key, clear=False)
        raise _too_many("failed sign-ins for this account", wait)
    if not request.app.state.passwords.verify(user.password_hash if user else None, password):
        return False
    throttle.succeeded(account_key, clear=True)
    throttle.succeeded(ip_key, clear=False)
    throttle.remember(trusted_key, settings.login_known_ttl)
    return True


@router.post("/register", status_code=201, summary="Create an account and sign in",
             responses={409: {"description": "The email is taken"}, **THROTTLED})
def register(body: Credentials, request: Request, session: Session = Depends(get_session),
             settings: Settings = Depends(get_settings)):
    check_new_password(body.password, body.email)
    count, left = request.app.state.throttle.count("register:" + client_ip(request),
                                                    settings.register_window)
    if count > settings.register_limit:
        raise _too_many("accounts created from this address", left)
    password_hash = request.app.state.passwords.hash(body.password)   # same work either way
    if session.scalar(select(User.id).where(User.email == body.email)):
        raise APIError(409, "email_taken", "An account with this email already exists.")
    user = User(email=body.email, password_hash=password_hash)
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


@router.post("/login", summary="Sign in with email and password", responses=THROTTLED)
def login(body: Credentials, request: Request, session: Session = Depends(get_session),
          settings: Settings = Depends(get_settings)):
    user = session.scalar(select(User).where(User.email == body.email))
    if not check_password(request, settings, user, body.email, body.password):
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


def revoke_all(session: Session, user_id: str, keep: str | None = None) -> int:
    """End every sign-in of the user (but `keep`); returns how many were ended."""
    stmt = update(TokenFamily).where(TokenFamily.user_id == user_id,
                                     TokenFamily.revoked_at.is_(None))
    if keep:
        stmt = stmt.where(TokenFamily.id != keep)
    return session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0


@router.post("/logout-all", summary="Sign out everywhere: end every sign-in of the account")
def logout_all(request: Request, user: User = Depends(current_user),
               session: Session = Depends(get_session)):
    ended = revoke_all(session, user.id)
    audit(session, request, "logout_all", user.id, ended=ended)
    session.commit()
    return ok({"revoked_sign_ins": ended})


@router.post("/password", summary="Change the password; every other sign-in is ended",
             responses={403: {"description": "The current password is wrong"}, **THROTTLED})
def change_password(body: PasswordChange, request: Request, user: User = Depends(current_user),
                    session: Session = Depends(get_session),
                    settings: Settings = Depends(get_settings)):
    if not check_password(request, settings, user, user.email, body.current_password):
        audit(session, request, "password_change_failed", user.id)
        session.commit()
        raise APIError(403, "wrong_password", "The current password is wrong.")
    check_new_password(body.new_password, user.email, "new_password")
    user.password_hash = request.app.state.passwords.hash(body.new_password)
    ended = revoke_all(session, user.id, keep=request.state.family_id)
    audit(session, request, "password_changed", user.id, ended=ended)
    session.commit()
    return ok({"changed": True, "revoked_sign_ins": ended})


@router.get("/me", summary="The signed-in user")
def me(user: User = Depends(current_user)):
    return ok(user_out(user))
