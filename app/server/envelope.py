"""The /api/v1 response envelope and error shapes, and the handlers that turn every error into one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("app.server")

STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
                415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
                500: "internal_error", 503: "unavailable"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso(value: datetime | None) -> str | None:
    """A stored timestamp as ISO 8601 UTC (SQLite hands them back without a zone: they are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class APIError(Exception):
    """An error the API reports to the client as {"error", "message", "status", "timestamp"}."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def not_found(what: str = "resource") -> APIError:
    return APIError(404, "not_found", f"The {what} was not found.")


def ok(data: Any, status: int = 200) -> JSONResponse:
    """A success envelope."""
    return JSONResponse({"data": jsonable_encoder(data), "success": True, "timestamp": now_iso()},
                        status_code=status)


def error_body(status: int, code: str, message: str) -> dict:
    return {"error": code, "message": message, "status": status, "timestamp": now_iso()}


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, code, message), status_code=status, headers=headers)


def _field(loc: tuple) -> str:
    """The field's path as the client wrote it ("rows.3.1"): pydantic adds the names of union
    members and validators ("function-after[clean_text(), constrained-str]") to the location,
    which say nothing to a client, so they are left out."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")
             and (isinstance(p, int) or not any(c in str(p) for c in "[](),"))]
    return ".".join(parts) or "request"


def _validation_message(exc: RequestValidationError) -> str:
    parts, seen = [], set()
    for err in exc.errors():
        where = _field(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if where not in seen:            # one message per field: a union fails once per member
            seen.add(where)
            parts.append(f"{where}: {msg}")
        if len(parts) == 5:
            break
    return "Invalid request: " + "; ".join(parts) if parts else "Invalid request."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_request: Request, exc: APIError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        return error_response(422, "validation_error", _validation_message(exc))

    # Races between requests (found by schemathesis with two workers): an object deleted while
    # another request changes it, a constraint hit by a concurrent write, a busy database.
    @app.exception_handler(StaleDataError)
    async def _stale(_request: Request, _exc: StaleDataError):
        return error_response(404, "not_found", "The object was deleted meanwhile.")

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError):
        log.warning("integrity error: %s", exc.orig)
        return error_response(409, "conflict", "A concurrent change conflicts with this one: "
                                               "fetch the current state and retry.")

    @app.exception_handler(OperationalError)
    async def _operational(_request: Request, exc: OperationalError):
        log.error("database unavailable: %s", exc.orig)
        return error_response(503, "unavailable", "The database is busy or unreachable: retry "
                                                  "shortly.", {"Retry-After": "1"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404:
            message = "Nothing is here: check the address."
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))
