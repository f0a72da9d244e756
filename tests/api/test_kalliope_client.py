"""KalliopePBX client against the lab over loopback HTTP, and the doc's XML shapes."""

from __future__ import annotations

import pytest
from lxml import etree

from noc_tui.api.errors import ActionRefused
from noc_tui.api.kalliope_models import extension, parse_rtt, registration
from noc_tui.sim.kalliope_world import make_extensions
from noc_tui.sim.kalliope_world import registration as lab_registration
from tests.api.helpers import backends_for

DOC_REGISTRATION = b"""<?xml version="1.0"?>
<kpbx_response><registrations><registration>
  <exten>201</exten><status>OK</status><rtt>12 ms</rtt>
  <contact>sip:201@192.168.0.100:5060</contact><ip>192.168.0.100</ip><port>5060</port>
  <useragent>blah blah blah</useragent>
</registration></registrations></kpbx_response>"""


def test_doc_registration_parses() -> None:
    root = etree.fromstring(DOC_REGISTRATION)
    reg = registration(root.find("registrations/registration"))
    assert (reg.extension, reg.status, reg.rtt_ms) == ("201", "OK", 12.0)
    assert reg.address == "192.168.0.100:5060"
    assert reg.user_agent == "blah blah blah"


def test_rtt_tolerates_empty_and_bare_numbers() -> None:
    assert parse_rtt("") is None
    assert parse_rtt("7.5") == 7.5
    for unreadable in ("nan", "inf", "-Infinity", "1e400", "9" * 5000 + " ms"):
        assert parse_rtt(unreadable) is None, unreadable  # not an "inf ms" phone
    user = etree.fromstring(b"<user><exten>9</exten><first_name>Nicol\xc3\xb2</first_name></user>")
    parsed = extension(user)
    assert parsed.name == "Nicolò" and parsed.enabled is False


async def test_registrations_and_extensions_from_lab(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab)
    try:
        client = made.clients["kalliope"]
        extensions = await client.extensions()
        registrations = await client.registrations()
        assert len(extensions) >= 300
        assert any(not ch.isascii() for e in extensions for ch in e.name)
        assert {r.status for r in registrations} <= {"OK", "UNREACHABLE", "UNKNOWN"}
        assert any(r.status == "OK" and r.rtt_ms is not None for r in registrations)
        one = await client.registrations("200")
        assert [r.extension for r in one] in (["200"], [])
    finally:
        await made.aclose()


def test_lab_registrations_flap_over_time() -> None:
    extensions = make_extensions(1)
    seen = {
        (reg.status, reg.rtt_ms)
        for t in range(0, 3000, 30)
        for reg in [lab_registration(1, extensions[0], 1_795_000_000.0 + t)]
    }
    statuses = {status for status, _ in seen}
    assert len(seen) > 10 and "OK" in statuses and len(statuses) >= 2


async def test_apply_clears_pending_and_is_audited(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab)
    world = clean_lab._sims["kalliope"].world
    world.pending = True
    try:
        client = made.clients["kalliope"]
        assert await client.pending() is True
        assert await client.apply() is True
        assert await client.pending() is False
    finally:
        world.pending = True
        await made.aclose()


async def test_revert_refused_in_read_only(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab)
    try:
        client = made.clients["kalliope"]
        client.session.pool.read_only = True
        with pytest.raises(ActionRefused):
            await client.revert()
        assert clean_lab._sims["kalliope"].world.pending is True
    finally:
        await made.aclose()


async def test_a_large_xml_answer_is_parsed_off_the_event_loop(clean_lab) -> None:  # type: ignore[no-untyped-def]
    """The loop keeps ticking while a 40 MB answer is parsed: its longest stall is a small part
    of the parse (12 s of frozen console for 200 MB before)."""
    import asyncio
    import re

    import httpx

    from noc_tui.api import Backends

    user = (
        "<user><exten>{n}</exten><enabled>true</enabled>"
        "<first_name>Nicolò {n}</first_name><last_name>Rossi</last_name></user>"
    )
    users = "".join(user.format(n=n) for n in range(400_000)).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        rid = re.search(r"request_id=([0-9a-f]+)", str(request.url))
        head = f"<kpbx_response><request_id>{rid[1] if rid else ''}</request_id><users>"
        body = head.encode() + users + b"</users></kpbx_response>"
        return httpx.Response(200, headers={"content-type": "application/xml"}, content=body)

    config = clean_lab.config()
    pbx = next(b for b in config.backends if b.kind == "kalliope")
    made = Backends(config, transports={pbx.url: httpx.MockTransport(answer)})
    loop = asyncio.get_running_loop()
    stalls: list[tuple[float, float]] = []  # (when, how long since the tick before)
    done = asyncio.Event()

    async def ticker() -> None:
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.002)
            now = loop.time()
            stalls.append((now, now - last))
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        client = made.clients[pbx.name]
        response = await client.session.request("GET", "/rest/users/brief/")
        assert len(response.content) > 30 << 20
        begun = loop.time()
        root = await client.parse_off_loop(response, None)
        ended = loop.time()
        done.set()
        await ticking
    finally:
        await made.aclose()
    assert root.find("users/user/exten").text == "0"
    parsed = ended - begun
    assert parsed > 0.2, parsed  # a parse long enough to freeze the keys if it were inline
    during = [gap for when, gap in stalls if begun < when <= ended + 0.05]
    assert during and max(during) < parsed / 4, (max(during, default=None), parsed)
