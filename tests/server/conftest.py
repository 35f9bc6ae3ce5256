"""Server test fixtures: every test runs against SQLite alone and against PostgreSQL + Redis,
each started here from scratch, with the real server process talking HTTP and WebSocket."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from server_services import Postgres, Redis, ServerProcess, postgres_available


@dataclass
class Stack:
    """Where a server keeps its data: SQLite files, or one PostgreSQL + one Redis."""

    name: str
    postgres: Postgres | None = None
    redis: Redis | None = None
    servers: list = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """Settings for one new server: its own database (and Redis logical database)."""
        if self.postgres is None:
            return {}
        return {"FO_SERVER_DATABASE_URL": self.postgres.new_database(),
                "FO_SERVER_REDIS_URL": self.redis.new_database()}


def stop_all(servers: list) -> None:
    for server in servers:
        server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def stack(request):
    if request.param == "sqlite":
        sqlite_stack = Stack("sqlite")
        yield sqlite_stack
        stop_all(sqlite_stack.servers)
        return
    if not postgres_available():
        pytest.skip("PostgreSQL and redis-server are not installed (scripts/install-system-deps.sh)")
    pg = Postgres()
    try:
        redis = Redis()
    except Exception:
        pg.stop()
        raise
    pg_stack = Stack("postgres", pg, redis)
    try:
        yield pg_stack
    finally:
        stop_all(pg_stack.servers)
        redis.stop()
        pg.stop()


@pytest.fixture(scope="session")
def start_server(tmp_path_factory):
    """Start a server process with extra settings; every one started is stopped at the end."""
    started: list[ServerProcess] = []

    def start(stack: Stack, env: dict[str, str] | None = None, shared: dict | None = None):
        home = tmp_path_factory.mktemp(f"server-{stack.name}")
        server = ServerProcess(home, {**(shared if shared is not None else stack.env()), **(env or {})})
        started.append(server)
        stack.servers.append(server)
        return server

    yield start
    stop_all(started)


@pytest.fixture(scope="session")
def server(stack, start_server) -> ServerProcess:
    """The shared server of a backend (generous rate limits)."""
    return start_server(stack)


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.base + "/api/v1", timeout=30) as c:
        yield c


@dataclass
class Account:
    email: str
    password: str
    tokens: dict

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


@pytest.fixture
def new_account(client):
    """Register a fresh user; returns an Account with its tokens."""

    def make() -> Account:
        email = f"user-{uuid.uuid4().hex[:12]}@example.org"
        password = "correct horse battery"
        r = client.post("/auth/register", json={"email": email, "password": password})
        assert r.status_code == 201, r.text
        return Account(email, password, r.json()["data"])

    return make
