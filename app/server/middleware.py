"""Pure ASGI middleware: security headers (outermost, so that every answer has them, a 500 and
a 429 too), request log + metrics + last-resort 500, rate limits (HTTP requests and WebSocket
handshakes), request size limits."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs

import jwt
from fastapi import HTTPException
from prometheus_client import CollectorRegistry, Counter, Histogram

from .envelope import error_body

log = logging.getLogger("app.server.request")
UNLIMITED_PATHS = ("/health", "/ready", "/metrics", "/docs", "/openapi.json", "/redoc")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
            "https://fastapi.tiangolo.com; frame-ancestors 'none'")


async def send_error(send, status: int, code: str, message: str, headers=()) -> None:
    body = json.dumps(error_body(status, code, message)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def route_label(scope) -> str:
    """The matched route template (bounded label cardinality); routers mounted under /api/v1
    report their own path, so the prefix is added back."""
    route = getattr(scope.get("route"), "path", None)
    if route is None:
        return "unmatched"
    if scope["path"].startswith("/api/v1/") and not route.startswith("/api/v1"):
        route = "/api/v1" + route
    return route


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.errors = Counter("http_errors_total", "HTTP responses with status >= 400",
                              ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("http_request_duration_seconds", "Request latency",
                                 ["method", "route"], registry=self.registry,
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))


class ObserveMiddleware:
    """Outermost: one JSON log line and metrics per request; an unexpected error becomes a 500
    envelope (the traceback goes to the log, never to the client)."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        state = {"status": 500, "started": False}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if not state["started"]:
                await send_error(send, 500, "internal_error",
                                 "Something went wrong on the server; it has been logged.")
            state["status"] = 500
        elapsed = time.perf_counter() - start
        route = route_label(scope)
        method, status = scope["method"], str(state["status"])
        self.metrics.requests.labels(method, route, status).inc()
        self.metrics.latency.labels(method, route).observe(elapsed)
        if state["status"] >= 400:
            self.metrics.errors.labels(method, route, status).inc()
        log.info("request", extra={"request": {
            "method": method, "path": scope.get("path"), "route": route, "status": state["status"],
            "duration_ms": round(elapsed * 1000, 2),
            "client": (scope.get("client") or ("",))[0]}})


class SecurityHeadersMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        docs = scope["path"] in ("/docs", "/redoc")

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"content-security-policy", (DOCS_CSP if docs else API_CSP).encode()),
                         (b"cache-control", b"no-store")]
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


class RateLimitMiddleware:
    """Counts every request except health, metrics and docs, and every WebSocket handshake; adds
    X-RateLimit-* headers; 429 past the limit (a refused handshake is closed, code 4429).

    Every request counts against its client address; a signed-in one also against its user
    (whose budget is the first bucket, the one the headers describe), an anonymous one has the
    user budget at its address. So a handful of accounts from one address share that address's
    budget, and no shared overall budget exists unless configured (rate_limit_global)."""

    def __init__(self, app, limiter, settings):
        self.app, self.limiter, self.settings = app, limiter, settings

    def _user(self, token: bytes | str) -> str | None:
        try:
            raw = token.decode("latin-1") if isinstance(token, bytes) else token
            sub = jwt.decode(raw, self.settings.secret_key, algorithms=["HS256"]).get("sub")
        except (jwt.PyJWTError, UnicodeDecodeError, TypeError, ValueError, AttributeError):
            return None
        return sub if isinstance(sub, str) and len(sub) <= 64 else None

    def buckets(self, scope) -> list[tuple[str, int]]:
        user = None
        if scope["type"] == "websocket":
            token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
            user = self._user(token[0]) if token else None
        else:
            for name, value in scope.get("headers", []):
                if name == b"authorization" and value[:7].lower() == b"bearer ":
                    user = self._user(value[7:])
                    break
        s = self.settings
        ip = "ip:" + (scope.get("client") or ("unknown",))[0]
        found = ([("user:" + user, s.rate_limit_user), (ip, s.rate_limit_ip)] if user else
                 [(ip, min(s.rate_limit_user, s.rate_limit_ip))])
        if s.rate_limit_global > 0:
            found.append(("*global*", s.rate_limit_global))
        return found

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope["path"] in UNLIMITED_PATHS:
            return await self.app(scope, receive, send)
        try:
            decision = await self.limiter.hit(self.buckets(scope))
        except Exception:
            log.warning("rate limiter unavailable; request allowed", exc_info=True)
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            if decision.allowed:
                return await self.app(scope, receive, send)
            return await send({"type": "websocket.close", "code": 4429,
                               "reason": "too many requests"})
        if not decision.allowed:
            return await send_error(send, 429, "rate_limited",
                                    f"Too many requests: try again in {decision.retry_after} s.",
                                    decision.headers())

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *decision.headers()]}
            await send(message)

        await self.app(scope, receive, send_wrapper)


class BodyLimitMiddleware:
    """413 for bodies over the limit, by Content-Length or by counting a streamed body."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = f"The request body is larger than {self.max_bytes} bytes."
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return await send_error(send, 400, "bad_request", "Invalid Content-Length.")
                if declared > self.max_bytes:
                    return await send_error(send, 413, "payload_too_large", too_large)
        received = 0

        async def receive_wrapper():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, too_large)
            return message

        await self.app(scope, receive_wrapper, send)
