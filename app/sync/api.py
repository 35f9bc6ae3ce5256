"""HTTP client of the backend API: the {"data", "success"} envelope, timeouts, safe addresses.

HTTPS is verified; plain http is accepted only for this computer (localhost, 127.0.0.1, ::1).
Errors become ApiError (the server answered no) or Offline (no answer, or the server failed);
a certificate that fails verification is a CertificateProblem, said as such.

Each call has a whole-request deadline (DEADLINE seconds from start to the last byte): httpx's
timeouts are per read, so a server trickling a byte every few seconds could hold a call forever.
The connection pool gets a network backend whose sockets clamp every wait to the time left.
"""

from __future__ import annotations

import re
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEADLINE = 15.0             # seconds for a whole call, connect to last byte
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
API_PREFIX = "/api/v1"


class SyncError(Exception):
    """Base of every sync failure; ``str()`` is a message for the user."""


class InsecureServer(SyncError):
    pass


class ApiError(SyncError):
    """The server answered with an error envelope (4xx)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    @property
    def sentence(self) -> str:
        """The message for a person: a field name the API puts in front is written as words
        ('new_password: at least 10 characters' -> 'New password: at least 10 characters')."""
        field, sep, rest = self.message.partition(": ")
        if sep and re.fullmatch(r"[a-z_]+", field):
            return f"{field.replace('_', ' ').capitalize()}: {rest}"
        return self.message


class Offline(SyncError):
    """No answer (network down, timeout) or a server-side failure (5xx, 429): retry later."""


class CertificateProblem(Offline):
    """The server's TLS certificate did not verify: not this server, or a broken certificate."""


# --- the whole-request deadline -------------------------------------------------------------
_deadline = threading.local()       # .at: time.monotonic() value, or None (no deadline)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The wait allowed now: the given timeout, cut to the time left before the deadline."""
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the request took longer than its deadline")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _DeadlineStream(self._inner.connect_unix_socket(
            path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _transport() -> httpx.HTTPTransport:
    """httpx's transport (exception mapping, verified TLS) over a pool on the deadline backend.
    httpx has no public hook for the backend: the pool is replaced once, here."""
    transport = httpx.HTTPTransport(verify=True)
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                              network_backend=_DeadlineBackend())
    return transport


def _certificate_failure(exc: BaseException) -> str | None:
    """The verification error behind a failed connection, if a certificate was the cause."""
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 10:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or str(cause)
        if "CERTIFICATE_VERIFY_FAILED" in str(cause):
            return "certificate verify failed"
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return None


def normalize_server(url: str) -> str:
    """The server's base address without a trailing slash; refuses plain http to other hosts."""
    url = (url or "").strip().rstrip("/")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureServer(f"'{url}' is not a server address: use https://host[:port].")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise InsecureServer("Plain http is only allowed for a server on this computer: "
                             "use an https:// address.")
    return url


class ApiClient:
    """Calls /api/v1 of one server. `token` is the access token (memory only)."""

    def __init__(self, server: str, transport: httpx.BaseTransport | None = None,
                 deadline: float = DEADLINE) -> None:
        self.server = normalize_server(server)
        self.deadline = deadline
        self._http = httpx.Client(base_url=self.server + API_PREFIX, timeout=TIMEOUT, verify=True,
                                  transport=transport or _transport(), follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, *, token: str | None = None, json: Any = None,
             params: dict | None = None) -> Any:
        """One request; returns the envelope's data."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        _deadline.at = time.monotonic() + self.deadline
        try:
            resp = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TimeoutException:
            raise Offline(f"The server did not answer in time (within {self.deadline:g} s)."
                          ) from None
        except httpx.ConnectError as exc:
            if reason := _certificate_failure(exc):
                raise CertificateProblem(
                    f"The server's security certificate is not valid ({reason}): this may not "
                    "be the server you meant. Check the address, or ask its administrator to "
                    "fix the certificate.") from None
            raise Offline("Cannot reach the server: check the address and the network "
                          "connection.") from None
        except httpx.HTTPError as exc:
            raise Offline(f"The connection to the server failed ({type(exc).__name__}).") from None
        finally:
            _deadline.at = None
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code >= 500 or resp.status_code == 429:
            raise Offline(_message(body) or f"The server is not available (HTTP {resp.status_code}).")
        if resp.status_code >= 400 or not isinstance(body, dict) or not body.get("success", False):
            if not isinstance(body, dict):
                raise Offline(f"The address did not answer like a FileOrganizer server "
                              f"(HTTP {resp.status_code}).")
            raise ApiError(resp.status_code, str(body.get("error", "error")),
                           _message(body) or f"HTTP {resp.status_code}")
        return body.get("data")


def _message(body: Any) -> str:
    return str(body.get("message", "")) if isinstance(body, dict) else ""
