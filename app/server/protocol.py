"""The HTTP protocol uvicorn runs, with one change: a request too broken to reach the app (a
bad Content-Length, a malformed header) is answered with the API's JSON error envelope and the
security headers instead of uvicorn's plain-text "Invalid HTTP request received.".

uvicorn takes a protocol class for its `http` setting; `send_400_response` is the one place
both of its implementations (httptools, h11) write that answer.
"""

from __future__ import annotations

import json

from .envelope import error_body
from .middleware import API_CSP

SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", API_CSP.encode()), (b"cache-control", b"no-store")]
MESSAGE = "The request is not valid HTTP (for example a bad Content-Length or header)."


def bad_request_bytes(default_headers) -> bytes:
    body = json.dumps(error_body(400, "bad_request", MESSAGE)).encode()
    lines = [b"HTTP/1.1 400 Bad Request\r\n"]
    for name, value in [*default_headers, *SECURITY_HEADERS,
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]:
        lines += [name, b": ", value, b"\r\n"]
    return b"".join([*lines, b"\r\n", body])


def _protocol():
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:  # no httptools: uvicorn's pure-Python h11 protocol
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base

    class EnvelopeProtocol(Base):
        def send_400_response(self, msg: str) -> None:
            self.transport.write(bad_request_bytes(self.server_state.default_headers))
            self.transport.close()

    return EnvelopeProtocol


EnvelopeProtocol = _protocol()
