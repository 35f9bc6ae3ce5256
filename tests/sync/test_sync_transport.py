"""The sync client's transport against hostile or broken servers on loopback: a server trickling
bytes cannot hold a call past its whole-request deadline, and a certificate that does not verify
is reported as a certificate problem, not as an unreachable server."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from contextlib import contextmanager

import pytest

from app.sync.api import ApiClient, CertificateProblem, Offline

ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
          b'{"data": {}, "success": true, "pad": 0}\n')


@contextmanager
def trickling_server(head: bytes, every: float = 0.2):
    """Answer each connection with `head` at once, then one more byte every `every` seconds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(head)
                    for byte in ANSWER[len(head):]:
                        if stop.wait(every):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    continue          # the client gave up: good

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("head", [b"HTTP/1.1 2", ANSWER[:80]], ids=["in-headers", "in-body"])
def test_trickling_server_cannot_hold_a_call_past_the_deadline(head):
    # 40 more bytes at 0.2 s each would take 8 s; every byte comes well within the read timeout
    with trickling_server(head) as base:
        client = ApiClient(base, deadline=1.5)
        started = time.monotonic()
        with pytest.raises(Offline, match="did not answer in time"):
            client.call("GET", "/auth/me")
        elapsed = time.monotonic() - started
        client.close()
    assert 1.4 <= elapsed < 3.0, elapsed


def test_a_quick_answer_within_the_deadline_is_read():
    with trickling_server(ANSWER, every=0.01) as base:
        client = ApiClient(base, deadline=1.5)
        assert client.call("GET", "/auth/me") == {}
        assert client.call("GET", "/auth/me") == {}      # a kept-alive connection: a new deadline
        client.close()


def _self_signed(tmp_path):
    pytest.importorskip("cryptography", reason="makes the test certificate (comes with keyring "
                                               "on Linux through SecretStorage)")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_certificate_failure_is_said_as_such(tmp_path):
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with context.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass                       # the client refuses the certificate: expected

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = ApiClient(f"https://localhost:{port}", deadline=5)
    try:
        with pytest.raises(CertificateProblem) as info:
            client.call("GET", "/auth/me")
    finally:
        client.close()
        thread.join(5)
        listener.close()
    message = str(info.value)
    assert "certificate" in message and "Cannot reach" not in message
    assert "self-signed" in message or "verify" in message
