"""Each error kind, produced by a real fault in the lab over loopback HTTP, maps to one error."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import (
    ActionRefused,
    AuthFailed,
    BackendTimeout,
    MalformedResponse,
    NotFound,
    ServerError,
    TlsError,
    Unreachable,
)
from noc_tui.api.health import BackendState
from noc_tui.config import Config
from noc_tui.logs import setup_logging, stop_logging
from noc_tui.secret import Secret
from tests.api.helpers import backends_for


@pytest.fixture
async def backends(clean_lab):  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab, timeout_seconds=1.0)
    for client in made:
        client.session.backoff_base = 0.01
    yield made
    await made.aclose()


async def test_every_backend_answers_its_ping(backends: Backends) -> None:
    for client in backends:
        result = await client.ping()
        assert result.summary, client.name
        assert client.health.state is BackendState.OK
        assert client.health.latency_ms is not None


async def test_down_backend_is_unreachable(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("librenms", "down")
    client = backends.clients["librenms"]
    with pytest.raises(Unreachable) as caught:
        await client.ping()
    assert "connection refused" in caught.value.title
    assert client.health.state is BackendState.DOWN
    clean_lab.set_faults("librenms", "")
    await client.ping()
    assert client.health.state is BackendState.OK


async def test_slow_backend_times_out(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("openwisp", "latency=1500ms")
    with pytest.raises(BackendTimeout) as caught:
        await backends.clients["openwisp"].ping()
    assert "no answer within 1 s" in caught.value.title


async def test_server_error_is_retried_for_reads_only(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("librenms", "error_rate=1")
    client = backends.clients["librenms"]
    with pytest.raises(ServerError):
        await client.ping()
    assert client.health.requests == 3  # one try and two retries
    before = client.health.requests
    with pytest.raises(ServerError):
        await client.session.request("PUT", "/api/v0/alerts/1", json={"note": "x"})
    assert client.health.requests == before + 1  # an action is never retried


async def test_expired_or_rejected_credentials(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("krill", "unauthorized")
    with pytest.raises(AuthFailed):
        await backends.clients["krill"].ping()
    clean_lab.set_faults("kalliope", "unauthorized")
    with pytest.raises(AuthFailed):
        await backends.clients["kalliope"].ping()


async def test_wrong_token_is_auth_failed_with_server_message(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab, token=Secret("wrong-token-for-the-lab"))
    try:
        with pytest.raises(AuthFailed) as caught:
            await made.clients["librenms"].ping()
        assert "Unauthenticated." in caught.value.title
        assert "wrong-token-for-the-lab" not in caught.value.title
    finally:
        await made.aclose()


async def test_html_or_garbage_is_malformed(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("openwisp", "garbage")
    with pytest.raises(MalformedResponse) as caught:
        await backends.clients["openwisp"].ping()
    assert "expected JSON, got text/html" in caught.value.title
    clean_lab.set_faults("kalliope", "garbage")
    with pytest.raises(MalformedResponse):
        await backends.clients["kalliope"].ping()


async def test_dropped_connection_is_unreachable(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("krill", "drop")
    with pytest.raises(Unreachable) as caught:
        await backends.clients["krill"].ping()
    assert "dropped" in caught.value.title


async def test_not_found_carries_server_message(backends: Backends) -> None:
    with pytest.raises(NotFound) as caught:
        await backends.clients["krill"].session.get_json("/api/v2/isp/cpes/99999999/")
    assert "Not found" in caught.value.title


async def test_tls_to_a_plain_http_port_is_a_tls_error(clean_lab) -> None:  # type: ignore[no-untyped-def]
    config: Config = clean_lab.config()
    nms = next(b for b in config.backends if b.kind == "librenms")
    tls = dataclasses.replace(nms, url=nms.url.replace("http://", "https://"))
    made = Backends(dataclasses.replace(config, backends=(tls,)))
    try:
        with pytest.raises(TlsError):
            await made.clients[nms.name].ping()
    finally:
        await made.aclose()


async def test_read_only_refuses_actions_in_the_client(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = Backends(clean_lab.config(), read_only=True)
    client = made.clients["librenms"]
    try:
        with pytest.raises(ActionRefused):
            await client.session.request("PUT", "/api/v0/alerts/1", json={"note": "x"})
        assert client.health.requests == 0  # nothing was sent
        await client.ping()  # reads still work
    finally:
        await made.aclose()


async def test_secrets_never_reach_the_log_or_errors(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_file = tmp_path / "noc.log"
    setup_logging(log_file, "DEBUG")
    config: Config = clean_lab.config()
    secrets = [
        value
        for backend in clean_lab.backends
        for key, value in backend.credentials.items()
        if key in ("token", "password")
    ]
    made = Backends(config)
    errors: list[str] = []
    try:
        for fault in ("", "unauthorized", "error_rate=1", "garbage"):
            for client in made:
                client.session.backoff_base = 0.01
                clean_lab.set_faults(client.name, fault)
                try:
                    await client.ping()
                    headers = await client.session.auth.headers()
                    logging.getLogger("noc_tui.test").info("headers %s", headers)
                except Exception as error:  # noqa: BLE001
                    errors.append(str(error))
    finally:
        await made.aclose()
    stop_logging()
    text = log_file.read_text() + "\n".join(errors)
    assert "headers" in text and errors
    for secret in secrets:
        assert secret not in text


@pytest.mark.parametrize("backend", ["krill", "librenms", "openwisp", "kalliope"])
async def test_a_backend_whose_answers_are_rejected_is_not_ok(
    backends: Backends, clean_lab, backend: str
) -> None:  # type: ignore[no-untyped-def]
    client = backends.clients[backend]
    await client.ping()
    assert client.health.state is BackendState.OK
    clean_lab.set_faults(backend, "garbage")  # 200 OK, with a login page or broken XML
    for polls in range(1, 4):
        with pytest.raises(MalformedResponse):
            await client.ping()
        # Each answer came with 200 and was then thrown away: never "ok" again.
        assert client.health.state is not BackendState.OK
        assert client.health.consecutive_failures == polls
    assert client.health.state is BackendState.DOWN
    assert "malformed response" in (client.health.last_error or "")
    clean_lab.set_faults(backend, "")
    await client.ping()
    assert client.health.state is BackendState.OK
