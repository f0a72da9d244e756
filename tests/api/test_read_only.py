"""Read-only is decided where every request leaves, by its method and exact path: no flag a
caller passes lets a change out, and nothing refused ever reaches the wire."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import ActionRefused, ServerError
from noc_tui.api.http import origin
from noc_tui.api.kalliope_cdr import CdrQuery
from noc_tui.api.krill import DATASETS_PATH


class Recording(httpx.AsyncBaseTransport):
    """The real transport to the lab, with a list of what went out."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(retries=0)
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def wire(clean_lab) -> Iterator[tuple[Backends, Recording]]:  # type: ignore[no-untyped-def]
    config = clean_lab.config()
    recording = Recording()
    transports = {origin(b.url): recording for b in config.backends}
    yield Backends(config, read_only=True, transports=transports), recording


CHANGES = [
    ("librenms", "PUT", "/api/v0/alerts/7"),
    ("librenms", "DELETE", "/api/v0/devices/1"),
    ("librenms", "PATCH", "/api/v0/devices/1"),
    ("openwisp", "POST", "/api/v1/controller/device/"),
    ("openwisp", "DELETE", "/api/v1/users/token/"),  # the login path, not by POST
    ("krill", "PUT", DATASETS_PATH),  # a query path, not by POST
    ("krill", "POST", "/api/v2/auth/login/extra"),  # near the login path is not it
    ("kalliope", "POST", "/rest/pbx/apply"),
]


@pytest.mark.parametrize(("backend", "method", "path"), CHANGES)
async def test_a_change_never_leaves_in_read_only_mode(wire, backend, method, path) -> None:  # type: ignore[no-untyped-def]
    backends, recording = wire
    session = backends.clients[backend].session
    try:
        with pytest.raises(ActionRefused):
            await session.request(method, path, json={"x": 1})
        with pytest.raises(ActionRefused):
            async for _ in session.stream(method, path, content=b"<x/>"):
                pass
    finally:
        await backends.aclose()
    assert recording.sent == []


async def test_reads_queries_and_logins_still_go_out(wire) -> None:  # type: ignore[no-untyped-def]
    backends, recording = wire
    try:
        krill = backends.clients["krill"]
        await krill.ping()  # GET
        with contextlib.suppress(ServerError):  # a made-up query; what counts is it went out
            await krill.session.request("POST", DATASETS_PATH, json={"host_name": "x"})
        end = datetime(2026, 11, 18, 12, 0)
        query = CdrQuery(end - timedelta(hours=1), end)
        async for _ in backends.clients["kalliope"].cdr(query):  # type: ignore[attr-defined]
            pass
    except ActionRefused as refused:  # pragma: no cover - the failure this test is about
        pytest.fail(f"a read was refused: {refused}")
    finally:
        await backends.aclose()
    assert ("POST", "/api/v2/auth/login") in recording.sent  # the lab's Krill logs in
    assert ("POST", DATASETS_PATH) in recording.sent
    assert ("POST", "/rest/cdr") in recording.sent
