"""`bomb`, `huge` and `trickle` over real HTTP: read as a careful client would, in pieces,
never a whole body at once."""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager

import httpx
import pytest
from lxml import etree

from noc_tui.sim import Lab
from noc_tui.sim.faults import BACKENDS
from tests.sim.helpers import GOOD_AUTH, PING, LabHttp, rss_mb

MIB = 1 << 20


@pytest.fixture(scope="module")
def running() -> Iterator[Lab]:
    lab = Lab(seed=5, cpes=30)
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture
def http(running: Lab) -> Iterator[LabHttp]:
    limits = httpx.Limits(max_connections=4)
    with httpx.Client(timeout=httpx.Timeout(30, read=60), limits=limits) as client:
        lab = LabHttp(running, client)
        yield lab
        lab.clear()


def inflate(chunks: Iterator[bytes], stop_after: int | None = None) -> tuple[int, bytes, bytes]:
    """(inflated size, its first bytes, its last bytes), inflating at most 1 MiB at a time."""
    gzip = zlib.decompressobj(31)
    size, head, tail = 0, b"", b""
    for chunk in chunks:
        data = chunk
        while data:
            out = gzip.decompress(data, MIB)
            data = gzip.unconsumed_tail
            size += len(out)
            head = head or out[:64]
            tail = (tail + out)[-64:]
            if stop_after is not None and size >= stop_after:
                return size, head, tail
    size += len(gzip.flush())
    assert gzip.eof
    return size, head, tail


def stream(http: LabHttp, backend: str) -> AbstractContextManager[httpx.Response]:
    url = http.urls[backend] + PING[backend]
    return http.client.stream("GET", url, headers=GOOD_AUTH[backend])


@pytest.mark.parametrize("backend", BACKENDS)
def test_bomb_inflates_to_exactly_what_it_declares(http: LabHttp, backend: str) -> None:
    http.faults(backend, "bomb=16")
    with stream(http, backend) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        assert int(answer.headers["content-length"]) < 64 * 1024
        size, head, tail = inflate(answer.iter_raw())
    assert size == 16 * MIB
    if backend == "kalliope":
        assert head.startswith(b"<?xml") and tail.rstrip().endswith(b"</kpbx_response>")
    else:
        assert head.startswith(b"{") and tail.rstrip().endswith(b"}")


def test_the_default_bomb_is_a_gibibyte_in_a_megabyte(http: LabHttp) -> None:
    http.faults("openwisp", "bomb")
    with stream(http, "openwisp") as answer:
        assert int(answer.headers["content-length"]) < 2 * MIB
        size, head, _ = inflate(answer.iter_raw(), stop_after=200 * MIB)
    assert size >= 200 * MIB  # and it goes on: 1024 MiB declared
    assert head.startswith(b'{"count":1,"next":null,"previous":null,"results":[')


def test_a_small_bomb_is_valid_json_once_inflated(http: LabHttp) -> None:
    http.faults("librenms", "bomb=1")
    with stream(http, "librenms") as answer:
        raw = b"".join(answer.iter_raw())
    assert json.loads(zlib.decompress(raw, 31)) == {"status": "ok", "devices": [], "count": 1}
    assert len(zlib.decompress(raw, 31)) == MIB


def test_huge_streams_without_a_length_and_without_the_lab_growing(http: LabHttp) -> None:
    http.faults("krill", "huge")
    before = rss_mb()
    got = 0
    with stream(http, "krill") as answer:
        assert answer.status_code == 200
        assert "content-length" not in answer.headers
        assert answer.headers["transfer-encoding"] == "chunked"
        assert answer.headers["content-type"] == "application/json"
        first = b""
        for chunk in answer.iter_raw():
            if len(first) < 200:
                first += chunk[:200]
            got += len(chunk)
            if got >= 256 * MIB:
                break
    grown = rss_mb() - before
    assert got >= 256 * MIB
    assert first.startswith(b'{"count":1,"next":null,"previous":null,"results":[{"id":101,')
    assert grown < 64, f"the process grew {grown:.0f} MiB while 256 MiB went through"
    assert http.get("krill", "/_sim/faults").status_code == 200  # the lab answers on


def test_huge_with_length_is_exact_and_valid(http: LabHttp) -> None:
    for backend in ("librenms", "kalliope"):
        http.faults(backend, "huge=3:length")
        with stream(http, backend) as answer:
            assert int(answer.headers["content-length"]) == 3 * MIB
            body = b"".join(answer.iter_raw())
        assert len(body) == 3 * MIB
        if backend == "kalliope":
            assert len(etree.fromstring(body).findall(".//call")) > 10_000
        else:
            assert len(json.loads(body)["devices"]) > 10_000


def test_trickle_sends_headers_at_once_then_a_byte_at_a_time(http: LabHttp) -> None:
    http.faults("openwisp", "trickle=0.3")
    started = time.monotonic()
    with stream(http, "openwisp") as answer:
        headed = time.monotonic()
        assert answer.status_code == 200 and int(answer.headers["content-length"]) > 100
        pieces: list[tuple[float, bytes]] = []
        for chunk in answer.iter_raw():
            pieces.append((time.monotonic(), chunk))
            if sum(len(piece) for _, piece in pieces) >= 5:
                break
    assert b"".join(chunk for _, chunk in pieces).startswith(b'{"cou')
    assert len(pieces) >= 2  # not in one piece: bytes come apart
    assert pieces[-1][0] - started >= 5 * 0.3  # one byte per 0.3 s, the first one too
    assert headed <= pieces[0][0]
    http.faults("openwisp", "")
    assert http.get("openwisp", PING["openwisp"]).status_code == 200


def test_trickle_takes_seconds_and_durations() -> None:
    from noc_tui.sim.faults import parse_backend_faults

    assert parse_backend_faults("trickle").trickle == 5
    assert parse_backend_faults("trickle=250ms").trickle == 0.25
    assert parse_backend_faults("trickle=2s").trickle == 2
