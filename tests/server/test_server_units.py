"""In-process checks of the pieces the HTTP tests cannot reach: settings and the stored secret,
migrations on a fresh database, the last-resort 500 envelope, the command line."""

from __future__ import annotations

import asyncio
import json
import stat

import httpx
from sqlalchemy import inspect, text

from app.server import db
from app.server.__main__ import parse_args
from app.server.middleware import Metrics, ObserveMiddleware
from app.server.settings import Settings


def test_settings_defaults_and_generated_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("FILEORGANIZER_HOME", str(tmp_path))
    for name in ("SECRET_KEY", "DATABASE_URL", "PORT", "RATE_LIMIT_USER"):
        monkeypatch.delenv("FO_SERVER_" + name, raising=False)
    monkeypatch.setenv("FO_SERVER_RATE_LIMIT_USER", "7")
    first = Settings.from_env()
    assert first.database_url == f"sqlite:///{tmp_path / 'data' / 'server.db'}"
    assert first.rate_limit_user == 7 and first.port == 8000 and first.access_ttl == 3600
    secret_file = tmp_path / "data" / "server-secret.key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert Settings.from_env().secret_key == first.secret_key  # kept across restarts
    assert Settings.from_env(port=9000, secret_key="given").secret_key == "given"


def test_migrations_create_the_schema(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    db.migrate(engine)
    db.migrate(engine)  # a second start finds it current
    tables = set(inspect(engine).get_table_names())
    assert {"users", "rules", "scans", "files", "operations", "reports", "audit_events",
            "alembic_version"} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"


def test_unexpected_errors_become_a_500_envelope():
    async def broken_app(scope, receive, send):
        raise RuntimeError("secret internals: /etc/passwd")

    app = ObserveMiddleware(broken_app, Metrics())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def call():
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/api/v1/anything")

    r = asyncio.run(call())
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "internal_error" and body["status"] == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert json.loads(r.text)["timestamp"].endswith("Z")


def test_command_line_flags():
    args = parse_args(["--host", "0.0.0.0", "--port", "9001", "--database-url",
                       "postgresql+psycopg://u@h/db", "--redis-url", "redis://h:6379/0"])
    assert (args.host, args.port, args.database_url, args.redis_url) == (
        "0.0.0.0", 9001, "postgresql+psycopg://u@h/db", "redis://h:6379/0")
