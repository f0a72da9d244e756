"""Answers are bounded in size and in time: a gzip bomb, a body of gigabytes or one that
trickles costs one failed request and a little memory, never the console's memory, its
concurrency slots or its truth about the backend. Served by the lab over loopback HTTP."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import AnswerTooLarge, BackendTimeout
from noc_tui.api.health import BackendState
from noc_tui.api.kalliope_cdr import CdrQuery
from tests.api.helpers import backends_for

MB = 1 << 20
LIMIT_MB = 16


@pytest.fixture
async def backends(clean_lab) -> AsyncIterator[Backends]:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab, timeout_seconds=2.0, max_response_mb=float(LIMIT_MB))
    for client in made:
        client.session.backoff_base = 0.01
    yield made
    await made.aclose()


async def peak_while(coroutine) -> tuple[BaseException | None, float]:  # type: ignore[no-untyped-def]
    """Run `coroutine`; what it raised, and the most memory Python held meanwhile (MB)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        await coroutine
    except BaseException as error:  # noqa: BLE001 - handed back to the test
        raised: BaseException | None = error
    else:
        raised = None
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return raised, peak / MB


async def everything(client) -> None:  # type: ignore[no-untyped-def]
    """The call of each kind that reads the biggest answer."""
    if client.kind == "kalliope":
        end = datetime(2026, 11, 18, 12, 0)
        async for _ in client.cdr(CdrQuery(end - timedelta(hours=1), end)):
            pass
    elif client.kind == "librenms" or client.kind == "openwisp":
        await client.devices()
    else:
        await client.search("fibra")


KINDS = ["krill", "librenms", "openwisp", "kalliope"]


@pytest.mark.parametrize("backend", KINDS)
async def test_a_gzip_bomb_is_refused_early_in_little_memory(
    backends: Backends, clean_lab, backend: str
) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults(backend, "bomb=1024")  # a 1 MB body that inflates to 1 GB
    client = backends.clients[backend]
    raised, peak = await peak_while(everything(client))
    assert isinstance(raised, AnswerTooLarge), raised
    assert "decompression bomb" in raised.title or "over 16 MB" in raised.title
    assert peak < LIMIT_MB + 8, f"held {peak:.0f} MB while refusing a bomb"
    assert client.health.state is not BackendState.OK


@pytest.mark.parametrize("backend", KINDS)
@pytest.mark.parametrize("length", ["", ":length"])
async def test_a_body_over_the_limit_fails_with_its_own_error(
    clean_lab, backend: str, length: str
) -> None:  # type: ignore[no-untyped-def]
    # Time enough for 16 MB to come even on a loaded machine (the CDR is parsed as it streams
    # in, 16 MB took 20 s there once): the size must stop it, not the clock.
    backends = backends_for(clean_lab, timeout_seconds=90.0, max_response_mb=float(LIMIT_MB))
    clean_lab.set_faults(backend, f"huge=2048{length}")  # 2 GB of valid-looking rows
    client = backends.clients[backend]
    try:
        raised, peak = await peak_while(everything(client))
    finally:
        await backends.aclose()
    assert isinstance(raised, AnswerTooLarge), raised
    assert raised.title == f"{backend}: answer too large (over {LIMIT_MB} MB)"
    assert peak < LIMIT_MB * 2 + 8, f"held {peak:.0f} MB"
    assert client.health.state is not BackendState.OK


@pytest.mark.parametrize("backend", KINDS)
async def test_a_trickling_answer_times_out_as_a_whole(
    backends: Backends, clean_lab, backend: str
) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults(backend, "trickle=250ms")  # headers at once, a byte every 0.25 s
    client = backends.clients[backend]
    started = time.monotonic()
    with pytest.raises(BackendTimeout) as caught:
        await everything(client)
    # Asked twice (a read is retried once after a timeout), each bounded by the 2 s.
    assert time.monotonic() - started < 2 * 2.0 + 2
    assert "within 2 s" in caught.value.title


async def test_trickling_answers_never_keep_the_slots(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    client = backends.clients["librenms"]
    clean_lab.set_faults("librenms", "trickle=1")
    slow = [asyncio.ensure_future(client.alerts()) for _ in range(8)]  # twice the slots
    results = await asyncio.gather(*slow, return_exceptions=True)
    assert all(isinstance(r, BackendTimeout) for r in results), results
    clean_lab.set_faults("librenms", "")
    started = time.monotonic()
    await client.alerts()  # a slot is free at once: nothing is stuck on the old answers
    assert time.monotonic() - started < 1.5
    assert client.health.state is BackendState.OK


async def test_an_answer_within_the_limit_still_comes_whole(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab, max_response_mb=64.0)
    try:
        clean_lab.set_faults("librenms", "huge=20:length")
        with pytest.raises(AnswerTooLarge):  # 20 MB of one device repeated: too much at 16
            await backends_for(clean_lab, max_response_mb=16.0).clients["librenms"].devices()
        devices = await made.clients["librenms"].devices()
        assert len(devices) >= 1  # parsed: the limit is not a cut
    finally:
        await made.aclose()


async def test_big_answers_take_turns_so_memory_is_one_limit(clean_lab) -> None:  # type: ignore[no-untyped-def]
    # Four backends sending gigabytes at once: each is refused at the limit, and only one is
    # read past 8 MB at a time, so the console holds one limit, not four.
    backends = backends_for(clean_lab, timeout_seconds=30.0, max_response_mb=float(LIMIT_MB))
    for backend in ("krill", "librenms", "openwisp"):
        clean_lab.set_faults(backend, "huge=2048")
    clients = [backends.clients[name] for name in ("krill", "librenms", "openwisp")]
    try:

        async def all_at_once() -> list[BaseException | None]:
            return await asyncio.gather(*(everything(c) for c in clients), return_exceptions=True)

        tracemalloc.start()
        tracemalloc.reset_peak()
        try:
            results = await all_at_once()
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await backends.aclose()
    assert all(isinstance(r, AnswerTooLarge) for r in results), results
    # One answer at the limit, the others stopped at 8 MB each: 16 + 2 x 8, not 3 x 16.
    assert peak / MB < LIMIT_MB + 2 * 8 + 8, f"held {peak / MB:.0f} MB"
