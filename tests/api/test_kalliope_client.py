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
