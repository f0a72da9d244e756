"""TLS to a PBX with a self-signed certificate: pinned by fingerprint, by ca_file, or not verified.

The lab PBX is served over real TLS on 127.0.0.1 with a certificate made here by the openssl
command line; a wrong pin must fail in the handshake, before any HTTP request reaches the server.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from noc_tui.api import Backends
from noc_tui.api.errors import TlsError
from noc_tui.clock import FrozenClock
from noc_tui.config import BackendSettings, Config, ConfigError, UiSettings, parse_config
from noc_tui.secret import Secret
from noc_tui.sim.kalliope import PASSWORD_MD5, create

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


@dataclass
class TlsPbx:
    url: str
    cert: Path
    fingerprint: str  # 64 hex digits
    openssl_fingerprint: str  # "SHA256 Fingerprint=AB:CD:…" as openssl prints it
    requests: list[str]


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # runs in a thread: leave signal handlers alone


def _make_cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_pbx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsPbx]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = _make_cert(folder)
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    printed = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", str(cert)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    app = create(seed=1, clock=FrozenClock()).app
    seen: list[str] = []

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await app(scope, receive, send)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        counting,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        log_level="warning",
        lifespan="off",
    )
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the TLS lab did not start"
    yield TlsPbx(f"https://127.0.0.1:{port}", cert, hashlib.sha256(der).hexdigest(), printed, seen)
    server.should_exit = True
    thread.join(10)
    sock.close()


def backends(pbx: TlsPbx, **tls: Any) -> Backends:
    settings = BackendSettings(
        name="pbx-tls",
        kind="kalliope",
        url=pbx.url,
        username="admin",
        password_md5=Secret(PASSWORD_MD5),
        timeout_seconds=5,
        **tls,
    )
    return Backends(Config(UiSettings(), (settings,)))


async def ping(made: Backends) -> str:
    try:
        return (await made.clients["pbx-tls"].ping()).summary
    finally:
        await made.aclose()


async def test_right_fingerprint_pins_the_self_signed_certificate(tls_pbx: TlsPbx) -> None:
    assert "firmware" in await ping(backends(tls_pbx, tls_fingerprint=tls_pbx.fingerprint))


async def test_openssl_printed_fingerprint_accepted_from_config(tls_pbx: TlsPbx) -> None:
    colons = tls_pbx.openssl_fingerprint.split("=", 1)[1]
    text = f"""
    [[backends]]
    name = "pbx-tls"
    kind = "kalliope"
    url = "{tls_pbx.url}"
    username = "admin"
    password_md5 = "{PASSWORD_MD5}"
    tls_fingerprint = "{colons}"
    """
    config = parse_config(tomllib.loads(text))
    assert config.backends[0].tls_fingerprint == tls_pbx.fingerprint
    made = Backends(config)
    assert "firmware" in await ping(made)


async def test_wrong_fingerprint_fails_in_the_handshake_naming_the_mismatch(
    tls_pbx: TlsPbx,
) -> None:
    wrong = hashlib.sha256(b"another certificate").hexdigest()
    before = len(tls_pbx.requests)
    for verify in (True, False):  # verify_tls = false never turns a pin off
        with pytest.raises(TlsError) as caught:
            await ping(backends(tls_pbx, tls_fingerprint=wrong, verify_tls=verify))
        title = caught.value.title
        assert "TLS error (certificate fingerprint mismatch: pinned SHA-256 " in title, title
        assert wrong.upper()[:8] in title.replace(":", ""), title
        assert tls_pbx.fingerprint.upper()[:8] in title.replace(":", ""), title
        assert PASSWORD_MD5 not in title
    assert len(tls_pbx.requests) == before  # not one HTTP request (nor its credentials) sent


async def test_unpinned_self_signed_is_refused_by_default(tls_pbx: TlsPbx) -> None:
    with pytest.raises(TlsError, match="certificate not trusted"):
        await ping(backends(tls_pbx))


async def test_ca_file_and_verify_off_both_reach_the_pbx(tls_pbx: TlsPbx) -> None:
    assert "firmware" in await ping(backends(tls_pbx, ca_file=str(tls_pbx.cert)))
    assert "firmware" in await ping(backends(tls_pbx, verify_tls=False))
    pinned = backends(tls_pbx, ca_file=str(tls_pbx.cert), tls_fingerprint=tls_pbx.fingerprint)
    assert "firmware" in await ping(pinned)


def test_a_fingerprint_that_is_not_sha256_is_a_config_error() -> None:
    text = """
    [[backends]]
    name = "pbx"
    kind = "kalliope"
    url = "https://10.0.0.5"
    username = "admin"
    password_md5 = "21232f297a57a5a743894a0e4a801fc3"
    tls_fingerprint = "AB:CD:EF"
    """
    with pytest.raises(ConfigError, match="tls_fingerprint.*64 hex digits"):
        parse_config(tomllib.loads(text))


def test_a_blocking_client_cannot_skip_the_pin_either(tls_pbx: TlsPbx) -> None:
    import httpx

    from noc_tui.api.tls import pinned_context

    wrong = pinned_context(hashlib.sha256(b"another certificate").hexdigest())
    with (
        httpx.Client(verify=wrong) as client,
        pytest.raises(httpx.ConnectError, match="fingerprint mismatch"),
    ):
        client.get(f"{tls_pbx.url}/rest/system/firmware")
    right = pinned_context(tls_pbx.fingerprint)
    with httpx.Client(verify=right) as client:
        assert client.get(f"{tls_pbx.url}/rest/system/firmware").status_code == 401
