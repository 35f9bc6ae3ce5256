"""HTTP client of the backend API: the {"data", "success"} envelope, timeouts, safe addresses.

HTTPS is verified; plain http is accepted only for this computer (localhost, 127.0.0.1, ::1).
Errors become ApiError (the server answered no) or Offline (no answer, or the server failed).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
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


class Offline(SyncError):
    """No answer (network down, timeout) or a server-side failure (5xx, 429): retry later."""


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

    def __init__(self, server: str, transport: httpx.BaseTransport | None = None) -> None:
        self.server = normalize_server(server)
        self._http = httpx.Client(base_url=self.server + API_PREFIX, timeout=TIMEOUT, verify=True,
                                  transport=transport, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, *, token: str | None = None, json: Any = None,
             params: dict | None = None) -> Any:
        """One request; returns the envelope's data."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            resp = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TimeoutException:
            raise Offline("The server did not answer in time.") from None
        except httpx.ConnectError:
            raise Offline("Cannot reach the server: check the address and the network "
                          "connection.") from None
        except httpx.HTTPError as exc:
            raise Offline(f"The connection to the server failed ({type(exc).__name__}).") from None
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
