"""Start real services for the server tests: PostgreSQL (initdb + pg_ctl in a temp dir), Redis, and
the API server itself (`python -m app.server` in a subprocess on a free port)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-for-the-server-suite-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str | None:
    """A PostgreSQL program: Debian keeps them in /usr/lib/postgresql/<version>/bin."""
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    return shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Postgres:
    """A throwaway cluster: data, socket and log in a temp dir, fsync off, on a free port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fo-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        subprocess.run(_as_postgres([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--no-sync"]), check=True, capture_output=True)
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run(_as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-o", options,
                                     "-l", str(self.dir / "log"), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True)
        self._databases = 0

    def new_database(self) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        self._databases += 1
        name = f"fo{self._databases}"
        subprocess.run(_as_postgres([pg_bin("createdb"), "-h", str(self.dir), "-p", str(self.port),
                                     "-U", "postgres", name]), check=True, capture_output=True)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(_as_postgres([pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                                     "-w", "stop"]), capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--daemonize", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._databases = 0
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def new_database(self) -> str:
        """A Redis URL on its own logical database, so servers of different tests share no counters."""
        self._databases += 1
        return f"redis://127.0.0.1:{self.port}/{self._databases % 16}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def postgres_available() -> bool:
    return bool(pg_bin("initdb") and pg_bin("pg_ctl") and shutil.which("redis-server"))


class ServerProcess:
    """`python -m app.server` on 127.0.0.1:<free port> with the given FO_SERVER_* settings."""

    def __init__(self, home: Path, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.log_path = home / f"server-{self.port}.log"
        full_env = {**os.environ, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": str(ROOT),
                    "FO_SERVER_SECRET_KEY": SECRET, "FO_SERVER_ARGON2_TIME_COST": "1",
                    "FO_SERVER_ARGON2_MEMORY_KIB": "8192", "FO_SERVER_RATE_LIMIT_USER": "1000000",
                    "FO_SERVER_RATE_LIMIT_IP": "1000000", "FO_SERVER_REGISTER_LIMIT": "1000000",
                    "FO_SERVER_LOGIN_FREE_FAILURES_IP": "1000000", **env}
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "app.server", "--host", "127.0.0.1",
                                      "--port", str(self.port)], env=full_env, cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not start:\n" + self.log_path.read_text()[-4000:])
            time.sleep(0.1)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def loopback_address(n: int) -> str:
    """127.0.0.<n>, an address of this computer that tests use as another client; skips the
    test where only 127.0.0.1 is configured (macOS)."""
    import pytest

    address = f"127.0.0.{n}"
    try:
        with socket.socket() as s:
            s.bind((address, 0))
    except OSError:
        pytest.skip(f"{address} is not an address of this computer here")
    return address


class MovableClock:
    """A server's clock in a test: starts at the real time and moves only when told to, so
    expiry is tested by moving it rather than by sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def in_process_app(stack, tmp_path: Path, clock: MovableClock, **settings):
    """The real application (middleware, routes, migrations at start-up) for this process, on
    the stack's database, with an injected clock; no server process, no network."""
    from app.server.app import create_app
    from app.server.settings import Settings

    env = stack.env()
    return create_app(Settings(
        database_url=env.get("FO_SERVER_DATABASE_URL") or f"sqlite:///{tmp_path / 'server.db'}",
        redis_url=env.get("FO_SERVER_REDIS_URL", ""), secret_key=SECRET,
        argon2_time_cost=1, argon2_memory_kib=8192, clock=clock, **settings))
