"""Passwords (argon2) and tokens (PyJWT, HS256): access tokens, and refresh tokens rotated on use.

Each sign-in starts a token family. Refreshing marks the presented refresh token used and issues
a new one in the same family; presenting a used token again means it leaked, so the whole family
(every refresh token and access token of that sign-in) is revoked.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .envelope import APIError
from .models import RefreshToken, TokenFamily, User
from .settings import Settings

ALGORITHM = "HS256"


class Passwords:
    def __init__(self, settings: Settings):
        self._hasher = PasswordHasher(time_cost=settings.argon2_time_cost,
                                      memory_cost=settings.argon2_memory_kib)
        self._dummy = self._hasher.hash("not a real password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Constant work whether or not the user exists (stored_hash None checks a dummy)."""
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def _encode(settings: Settings, claims: dict, ttl: int) -> tuple[str, datetime]:
    now = datetime.fromtimestamp(settings.clock(), UTC)
    expires = now + timedelta(seconds=ttl)
    token = jwt.encode({**claims, "iat": now, "exp": expires}, settings.secret_key, algorithm=ALGORITHM)
    return token, expires


def issue_pair(session: Session, settings: Settings, user_id: str, family_id: str) -> dict:
    """A new access token and refresh token in the given family (caller commits)."""
    jti = str(uuid.uuid4())
    access, _ = _encode(settings, {"sub": user_id, "typ": "access", "fam": family_id,
                                   "jti": str(uuid.uuid4())}, settings.access_ttl)
    refresh, expires = _encode(settings, {"sub": user_id, "typ": "refresh", "fam": family_id,
                                          "jti": jti}, settings.refresh_ttl)
    session.add(RefreshToken(jti=jti, family_id=family_id, expires_at=expires))
    return {"access_token": access, "refresh_token": refresh, "token_type": "bearer",
            "expires_in": settings.access_ttl}


def start_family(session: Session, settings: Settings, user: User) -> dict:
    family = TokenFamily(user_id=user.id)
    session.add(family)
    session.flush()
    return issue_pair(session, settings, user.id, family.id)


def _check_times(claims: dict, now: float) -> None:
    """exp, iat and nbf against the settings' clock, as PyJWT would check them against the
    system's (it has no clock to pass): one clock issues and expires tokens, so tests move it
    instead of sleeping. A claim that is not a number is an invalid token."""
    try:
        exp = int(claims["exp"])
        not_before = max(int(claims.get(name, 0)) for name in ("iat", "nbf"))
    except (TypeError, ValueError, OverflowError):
        raise APIError(401, "invalid_token", "The token is not valid.") from None
    if not_before > now:
        raise APIError(401, "invalid_token", "The token is not valid.")
    if exp <= now:
        raise APIError(401, "token_expired", "Your session has expired: sign in again.")


def decode(settings: Settings, token: str, kind: str) -> dict:
    """The claims of a valid token of this kind, or a 401 APIError."""
    try:
        claims = jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM],
                            options={"require": ["exp", "sub", "typ", "fam", "jti"],
                                     "verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
    except (jwt.PyJWTError, TypeError, ValueError):   # also claims of an odd type (iat: [])
        raise APIError(401, "invalid_token", "The token is not valid.") from None
    _check_times(claims, settings.clock())
    # A token is signed by us, but never trust its shape: a claim that is not a short string
    # would reach the database as a list or a number (a 500 instead of a 401).
    if claims.get("typ") != kind or not all(
            isinstance(claims.get(k), str) and 0 < len(claims[k]) <= 64
            for k in ("sub", "fam", "jti")):
        raise APIError(401, "invalid_token", "The token is not valid.")
    return claims


def family_active(session: Session, family_id: str, user_id: str) -> bool:
    family = session.get(TokenFamily, family_id)
    return family is not None and family.user_id == user_id and family.revoked_at is None


def revoke_family(session: Session, family_id: str) -> None:
    session.execute(update(TokenFamily).where(TokenFamily.id == family_id,
                                              TokenFamily.revoked_at.is_(None))
                    .values(revoked_at=datetime.now(UTC)))


class ReusedToken(Exception):
    def __init__(self, user_id: str, family_id: str):
        super().__init__("refresh token reused")
        self.user_id, self.family_id = user_id, family_id


def rotate(session: Session, settings: Settings, refresh_token: str) -> dict:
    """Exchange a refresh token for a new pair. Raises ReusedToken (after revoking) on reuse."""
    claims = decode(settings, refresh_token, "refresh")
    user_id, family_id, jti = claims["sub"], claims["fam"], claims["jti"]
    if not family_active(session, family_id, user_id):
        raise APIError(401, "token_revoked", "This session was signed out: sign in again.")
    # Atomic claim: only one request can mark this token used.
    claimed = session.execute(update(RefreshToken)
                              .where(RefreshToken.jti == jti, RefreshToken.used_at.is_(None),
                                     RefreshToken.family_id == family_id)
                              .values(used_at=datetime.now(UTC))).rowcount
    if claimed != 1:
        known = session.scalar(select(RefreshToken.jti).where(RefreshToken.jti == jti))
        if known is None:
            raise APIError(401, "invalid_token", "The token is not valid.")
        revoke_family(session, family_id)
        raise ReusedToken(user_id, family_id)
    return issue_pair(session, settings, user_id, family_id)
