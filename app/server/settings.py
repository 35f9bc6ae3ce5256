"""Server settings: command-line flags over environment variables over defaults.

Every setting has an environment variable FO_SERVER_<NAME>. The secret key comes from
FO_SERVER_SECRET_KEY or a file (FO_SERVER_SECRET_KEY_FILE, --secret-key-file), never from the
command line, where every user of the machine sees it in `ps`. When unset, it is generated once
and stored (mode 0600) in the server's data folder, so restarts keep tokens valid.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from platformdirs import PlatformDirs

ENV_PREFIX = "FO_SERVER_"
HOME_ENV = "FILEORGANIZER_HOME"
NOT_FROM_ENV = {"extra", "clock"}   # fields no FO_SERVER_* variable sets


def data_dir() -> Path:
    """The server's data folder: FILEORGANIZER_HOME/data, else the platform's user data folder."""
    home = os.environ.get(HOME_ENV)
    if home:
        path = Path(home).expanduser().resolve() / "data"
    else:
        path = Path(PlatformDirs(appname="FileOrganizerPro", appauthor=False).user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    secret_key: str = ""
    redis_url: str = ""
    access_ttl: int = 3600  # seconds: access tokens live one hour
    refresh_ttl: int = 7 * 24 * 3600  # seconds: refresh tokens live seven days
    secret_key_file: str = ""  # a file holding the secret key (read at start)
    rate_limit_user: int = 100  # requests per window per user (and per address when anonymous)
    rate_limit_ip: int = 300  # requests per window per client address, signed in or not
    # Requests per window over all clients; 0 (the default) turns it off: a shared budget is a
    # lever with which a few clients lock out everyone. Capacity belongs to the proxy in front.
    rate_limit_global: int = 0
    rate_window: int = 60  # seconds
    login_free_failures: int = 5  # failed sign-ins per account before the back-off starts
    login_free_failures_ip: int = 20  # failed sign-ins per client address before its back-off
    login_backoff_base: float = 1.0  # seconds: the first wait, doubled after each failure...
    login_backoff_max: float = 900.0  # ...up to this (a slowing back-off, never a lock)
    login_failure_ttl: int = 3600  # seconds without a failure after which failures are forgotten
    login_known_ttl: int = 30 * 24 * 3600  # an address that signed in to an account is known so long
    register_limit: int = 10  # accounts created per client address per register_window
    register_window: int = 3600  # seconds
    ws_recheck: float = 30.0  # seconds between checks that a WebSocket's sign-in is still valid
    max_body_bytes: int = 1024 * 1024
    log_level: str = "INFO"
    # Comma-separated proxy addresses whose X-Forwarded-For is trusted (behind a load balancer, so
    # that anonymous requests are limited per real client, not per proxy). Empty: trust none.
    forwarded_allow_ips: str = ""
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    extra: dict = field(default_factory=dict)
    # Seconds since the epoch: when tokens are issued and when they expire. Not a setting of the
    # environment: tests of an in-process app pass a clock they move, instead of sleeping.
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Settings from FO_SERVER_* variables, then explicit overrides (flags), then defaults filled."""
        values: dict = {}
        for f in fields(cls):
            if f.name in NOT_FROM_ENV:
                continue
            raw = os.environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                kind = {"int": int, "float": float}.get(f.type if isinstance(f.type, str)
                                                        else f.type.__name__)
                values[f.name] = kind(raw) if kind else raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if not settings.database_url:
            settings.database_url = f"sqlite:///{data_dir() / 'server.db'}"
        if not settings.secret_key and settings.secret_key_file:
            settings.secret_key = read_secret(Path(settings.secret_key_file))
        if not settings.secret_key:
            settings.secret_key = load_or_create_secret(data_dir() / "server-secret.key")
        return settings

    def to_env(self) -> dict[str, str]:
        """The settings as FO_SERVER_* variables (how __main__ hands them to the app factory)."""
        return {ENV_PREFIX + f.name.upper(): str(getattr(self, f.name))
                for f in fields(self) if f.name not in NOT_FROM_ENV}


def read_secret(path: Path) -> str:
    """The secret key from a file the administrator made (first line, whitespace stripped)."""
    try:
        value = path.expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SystemExit(f"Cannot read the secret key file {path}: {exc.strerror}.") from None
    if len(value) < 32:
        raise SystemExit(f"The secret key in {path} is too short: use at least 32 characters.")
    return value


def load_or_create_secret(path: Path) -> str:
    """Read the stored secret key, creating it atomically (O_EXCL) on first start."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.05)  # another process created it and is writing it
        raise RuntimeError(f"secret key file {path} is empty") from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    return value
