"""The OpenWISP client against the lab over loopback HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import AuthFailed, NotFound, ServerError
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.audit import AuditLog


def openwisp(backends: Backends) -> OpenWispClient:
    client = backends.of_kind("openwisp")[0]
    assert isinstance(client, OpenWispClient)
    return client


@pytest.fixture
async def client(clean_lab, tmp_path: Path):  # type: ignore[no-untyped-def]
    backends = Backends(clean_lab.config(), audit=AuditLog(tmp_path / "audit.log"))
    yield openwisp(backends)
    await backends.aclose()


async def test_all_devices_across_pages_and_filters(client: OpenWispClient, clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world
    devices = await client.devices()
    assert len(devices) == len(world.devices) > 30
    assert len({d.id for d in devices}) == len(devices)
    errors = await client.devices(config__status="error")
    assert errors and all(d.config_status == "error" for d in errors)
    metro = await client.devices(organization_slug="metro-isp")
    assert metro and {d.organization for d in metro} == {world.organizations["metro-isp"]}
    orgs = {o.slug: o for o in await client.organizations()}
    assert orgs["metro-isp"].name == "Metro ISP"
    groups = await client.groups()
    backbone = next(g for g in groups if g.name == "backbone")
    grouped = await client.devices(group=backbone.id)
    assert grouped and all(d.group == backbone.id for d in grouped)


async def test_detail_templates_location_and_missing_config(
    client: OpenWispClient, clean_lab
) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world
    bare = next(d for d in world.devices if d["config"] is None)
    device = await client.device(bare["id"])
    assert device.config_status is None
    with_templates = next(d for d in world.devices if world.extra[d["id"]]["templates"])
    detail = await client.device(with_templates["id"])
    names = {t.id: t.name for t in await client.templates()}
    assert all(t in names for t in detail.templates) and detail.templates
    unplaced = next(d for d in world.devices if d["id"] not in world.locations)
    assert await client.location(unplaced["id"]) is None
    placed = next(d for d in world.devices if d["id"] in world.locations)
    where = await client.location(placed["id"])
    assert where is not None and where.latitude is not None
    with pytest.raises(NotFound):
        await client.device("00000000-0000-0000-0000-000000000000")


async def test_deactivate_then_delete_then_activate_refused(
    client: OpenWispClient, clean_lab, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world
    row = next(d for d in world.devices if d["config"] and d["config"]["status"] == "applied")
    device = await client.device(row["id"])
    with pytest.raises(ServerError, match="deactivate the device first"):
        await client.delete(device)
    after = await client.deactivate(device)
    assert after.is_deactivated and after.config_status == "deactivating"
    with pytest.raises(NotFound, match="already deactivated"):
        await client.deactivate(after)
    with pytest.raises(AuthFailed, match="is deactivated"):
        await client.reboot(after)
    back = await client.activate(after)
    assert not back.is_deactivated and back.config_status == "modified"
    audit = (tmp_path / "audit.log").read_text()
    assert audit.count(row["name"]) >= 4


async def test_reboot_and_custom_command_followed_to_the_end(
    client: OpenWispClient, clean_lab
) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world
    row = next(d for d in world.devices if d["config"] and d["config"]["status"] == "applied")
    device = await client.device(row["id"])
    started = await client.run_command(device, "uptime")
    assert started.status == "in-progress"
    seen = [c.status async for c in client.follow(started, every=0.1, within=5)]
    assert seen[0] == "in-progress" and seen[-1] == "success"
    reboot = await client.reboot(device)
    history = await client.commands(device.id)
    assert [c.type for c in history[:2]] == ["Reboot", "Custom commands"]
    assert history[1].output.startswith(" 12:00:01 up")
    assert reboot.id == history[0].id


async def test_a_command_that_never_ends_stops_being_followed(
    client: OpenWispClient, clean_lab
) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world
    row = next(d for d in world.devices if d["config"] and d["config"]["status"] == "applied")
    device = await client.device(row["id"])
    started = await client.run_command(device, "sleep 999")
    seen = [c async for c in client.follow(started, every=0.1, within=0.35)]
    assert not seen[-1].done and len(seen) >= 2
    with pytest.raises(ServerError, match="input: This field is required"):
        await client.run_command(device, "")


async def test_counts_come_from_the_servers_count_one_row_each(
    client: OpenWispClient, clean_lab
) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world

    def status_of(device: dict) -> str | None:  # type: ignore[type-arg]
        return (device["config"] or {}).get("status")

    clean_lab.traffic.clear()
    counts = await client.config_counts()
    assert counts.total == len(world.devices)
    for status in ("applied", "modified", "error"):
        assert counts.of(status) == sum(1 for d in world.devices if status_of(d) == status)
    assert counts.other == sum(
        1 for d in world.devices if status_of(d) not in ("applied", "modified", "error")
    )
    # Four small answers: the total and three filters, never the device list itself.
    assert clean_lab.traffic.requests["openwisp"] == 4
    assert clean_lab.traffic.bytes["openwisp"] < 4 * 2_000
    assert await client.device_count(organization_slug="metro-isp") == sum(
        1 for d in world.devices if d["organization"] == world.organizations["metro-isp"]
    )
