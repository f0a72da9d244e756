"""The LibreNMS lab over real loopback HTTP, read through the real client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import NotFound
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab
from noc_tui.sim.librenms_world import LIFECYCLE_STEP, POLL_PERIOD, LibreNmsWorld


@pytest.fixture(scope="module")
def frozen_lab() -> Iterator[tuple[Lab, FrozenClock]]:
    clock = FrozenClock()
    running = Lab(seed=3, cpes=10, clock=clock)
    running.start()
    yield running, clock
    running.stop()


@pytest.fixture
async def client(frozen_lab) -> AsyncIterator[LibreNmsClient]:  # type: ignore[no-untyped-def]
    backends = Backends(frozen_lab[0].config())
    found = backends.clients["librenms"]
    assert isinstance(found, LibreNmsClient)
    yield found
    await backends.aclose()


def world(lab: Lab) -> LibreNmsWorld:
    found = lab.sim("librenms").world
    assert isinstance(found, LibreNmsWorld)
    return found


async def test_default_state_hides_acknowledged(client, frozen_lab) -> None:  # type: ignore[no-untyped-def]
    alerts = await client.alerts()
    target = next(a for a in alerts if a.state == 1)
    await client.acknowledge(target.id, "looking at it", until_clear=True)
    raw = await client.session.get_json("/api/v0/alerts")  # no state: the server's default
    assert target.id not in {row["id"] for row in raw["alerts"]}
    again = await client.alert(target.id)
    assert again.acknowledged and again.note.endswith("looking at it") and again.until_clear
    await client.unmute(target.id)
    assert (await client.alert(target.id)).state == 1


async def test_unknown_alert_ack_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        await client.acknowledge(987654, "x")
    with pytest.raises(NotFound):
        await client.unmute(987654)
    with pytest.raises(NotFound):
        await client.alert(987654)


async def test_alerts_have_rule_names_and_several_severities(client) -> None:  # type: ignore[no-untyped-def]
    alerts = await client.alerts()
    rules = {r.id: r for r in await client.rules()}
    assert alerts and all(a.rule_name == rules[a.rule_id].name for a in alerts)
    assert len({r.severity for r in rules.values()}) >= 3


async def test_lifecycle_moves_and_recovery_clears_note(client, frozen_lab) -> None:  # type: ignore[no-untyped-def]
    lab, clock = frozen_lab
    before = {a.id: a.state for a in await client.alerts()}
    target = next(i for i, s in before.items() if s == 1)
    await client.acknowledge(target, "note", until_clear=False)
    clock.advance(LIFECYCLE_STEP * 6)
    after = {a.id: a.state for a in await client.alerts()}
    assert after != before  # opened, worsened, recovered or cleared
    world(lab).recover(target, clock.now())
    recovered = await client.alert(target)
    assert recovered.state == 0 and recovered.note == ""


async def test_devices_some_down_with_reason(client) -> None:  # type: ignore[no-untyped-def]
    devices = await client.devices()
    assert len(devices) >= 30
    down = await client.devices("down")
    assert down and all(not d.up and d.down_reason in ("icmp", "snmp") for d in down)
    assert {d.os for d in devices} >= {"junos", "linux"}
    one = await client.device(devices[0].hostname)
    assert one == devices[0]


async def test_ports_rates_move_once_per_poll_period(client, frozen_lab) -> None:  # type: ignore[no-untyped-def]
    _, clock = frozen_lab
    router = next(d for d in await client.devices() if d.hostname.startswith("core-rtr") and d.up)
    ports = await client.ports(router.hostname)
    name = next(p.name for p in ports if p.oper_status == "up" and "/" in p.name)
    first = await client.port_stats(router.hostname, name)
    same = await client.port_stats(router.hostname, name)
    assert same == first  # faster polling only repeats the last value
    clock.advance(POLL_PERIOD)
    later = await client.port_stats(router.hostname, name)
    assert later.poll_time == first.poll_time + POLL_PERIOD
    assert later.port.in_octets_rate != first.port.in_octets_rate


async def test_device_without_ports_is_empty(client) -> None:  # type: ignore[no-untyped-def]
    servers = [d for d in await client.devices() if d.hostname.startswith("srv-")]
    assert await client.ports(servers[-1].hostname) == []
    with pytest.raises(NotFound):
        await client.device("nope.example.net")
