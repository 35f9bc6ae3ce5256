"""The FastAPI application: routes under /api/v1, the WebSocket, health, readiness, metrics, docs.

create_app() is also a uvicorn factory: `uvicorn --factory app.server.app:create_app` reads the
settings from FO_SERVER_* variables.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware

from . import db
from .bus import make_bus
from .envelope import error_response, install_error_handlers, now_iso, ok
from .middleware import (
    BodyLimitMiddleware,
    Metrics,
    ObserveMiddleware,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
)
from .ratelimit import make_limiter
from .routes import account, auth, categories, devices, operations, reports, rules, scans, search, ws
from .settings import Settings
from .throttle import make_throttle
from .tokens import Passwords

API_PREFIX = "/api/v1"
DESCRIPTION = """The FileOrganizer Pro sync backend. Every success is
`{"data": ..., "success": true, "timestamp": ...}`, every error
`{"error": code, "message": text, "status": http status, "timestamp": ...}`.
Authenticate with `Authorization: Bearer <access token>` from `/api/v1/auth/login`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = db.make_engine(settings.database_url)
    limiter = make_limiter(settings.redis_url, settings.rate_window)
    bus = make_bus(settings.redis_url)
    throttle = make_throttle(settings.redis_url)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(db.migrate, engine)
        await limiter.start()
        await bus.start()
        yield
        await bus.close()
        await limiter.close()
        throttle.close()
        engine.dispose()

    app = FastAPI(
        title="FileOrganizer Pro API", version="1.0.0", description=DESCRIPTION, lifespan=lifespan,
        middleware=[Middleware(SecurityHeadersMiddleware),
                    Middleware(ObserveMiddleware, metrics=metrics),
                    Middleware(RateLimitMiddleware, limiter=limiter, settings=settings),
                    Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)])
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    app.state.passwords = Passwords(settings)
    app.state.bus = bus
    app.state.throttle = throttle
    app.state.metrics = metrics
    install_error_handlers(app)
    for module in (auth, account, devices, rules, categories, scans, search, operations, reports):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(ws.router)

    @app.get("/health", tags=["service"], summary="Liveness: the process answers")
    def health():
        return ok({"status": "ok"})

    @app.get("/ready", tags=["service"], summary="Readiness: the database (and Redis) answer",
             responses={503: {"description": "The database or Redis is unreachable"}})
    async def ready(request: Request):
        if not await run_in_threadpool(db.database_ready, request.app.state.engine):
            return error_response(503, "unavailable", "The database is not reachable.")
        if not await limiter.ping():
            return error_response(503, "unavailable", "Redis is not reachable.")
        return ok({"status": "ready", "database": engine.dialect.name,
                   "redis": bool(settings.redis_url), "checked_at": now_iso()})

    @app.get("/metrics", tags=["service"], summary="Prometheus metrics",
             response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    def prometheus_metrics():
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
