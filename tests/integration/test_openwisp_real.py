"""The OpenWISP client and the devices tab against a real openwisp-controller 1.3.2."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from noc_tui.api import Backends
from noc_tui.api import openwisp as openwisp_module
from noc_tui.api.errors import AuthFailed, NotFound, ServerError
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.clock import SYSTEM_CLOCK
from noc_tui.config import BackendSettings, Config, UiSettings
from noc_tui.secret import Secret
from noc_tui.ui.screens.devices_openwisp import OpenWispDevicesPane
from noc_tui.ui.screens.openwisp_device import OpenWispDeviceScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.integration.conftest import Peer
from tests.ui.helpers import console

SEEDED = 18
SEED_PASSWORD = "nocadmin123"  # the recipe's seed.py default


def config_for(peer: Peer, token: str | None = None) -> Config:
    settings = BackendSettings(
        name="openwisp",
        kind="openwisp",
        url=peer.url,
        token=Secret(token or peer.token),
        timeout_seconds=20,
        poll_seconds=5,
    )
    return Config(ui=UiSettings(), backends=(settings,))


@pytest.fixture
async def client(openwisp_peer_url: Peer) -> AsyncIterator[OpenWispClient]:
    backends = Backends(config_for(openwisp_peer_url))
    made = backends.clients["openwisp"]
    assert isinstance(made, OpenWispClient)
    yield made
    await backends.aclose()


async def test_setup_time_is_well_inside_the_budget(openwisp_peer_url: Peer) -> None:
    assert openwisp_peer_url.setup_seconds < 540


async def test_devices_pages_filters_and_detail(client: OpenWispClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(openwisp_module, "PAGE_SIZE", 5)  # four pages of the 18 seeded
    devices = await client.devices()
    assert len(devices) == SEEDED and len({d.id for d in devices}) == SEEDED
    statuses = {d.config_status for d in devices}
    assert {"applied", "modified", "error", "deactivating", "deactivated", None} <= statuses
    errors = await client.devices(config__status="error")
    assert {d.name for d in errors} == {"rtr-core-03", "ap-milan-02", "acme-edge-01"}
    acme = await client.devices(organization_slug="acme-isp")
    assert len(acme) == 4
    core = next(d for d in devices if d.name == "rtr-core-01")
    detail = await client.device(core.id)
    templates = {t.id: t.name for t in await client.templates()}
    assert {templates[t] for t in detail.templates} == {"ntp-servers", "monitoring-agent"}
    place = await client.location(core.id)
    assert place is not None and place.name == "Rome HQ" and place.latitude is not None
    spare = next(d for d in devices if d.name == "spare-unprovisioned")
    assert spare.config_status is None and await client.location(spare.id) is None
    groups = {g.name for g in await client.groups()}
    assert {"core-routers", "access-points", "cpe", "backbone"} <= groups
    assert {o.slug for o in await client.organizations()} == {"default", "acme-isp"}
    with pytest.raises(NotFound):
        await client.device("00000000-0000-0000-0000-000000000000")


async def test_deactivate_delete_refused_activate(client: OpenWispClient) -> None:
    device = next(d for d in await client.devices() if d.name == "cpe-0001")
    with pytest.raises(ServerError, match="deactivate the device first"):
        await client.delete(device)
    off = await client.deactivate(device)
    assert off.is_deactivated and off.config_status == "deactivating"
    with pytest.raises(NotFound, match="already deactivated"):
        await client.deactivate(off)
    on = await client.activate(off)
    assert not on.is_deactivated


async def test_commands_run_and_end(client: OpenWispClient) -> None:
    lab = next(d for d in await client.devices() if d.name == "rtr-lab-01")
    started = await client.run_command(lab, "uptime")
    seen = [c async for c in client.follow(started, every=0.3, within=30)]
    assert seen[-1].done and seen[-1].status == "failed"  # SSH to a closed port, by design
    assert "Unable to connect" in seen[-1].output
    reboot = await client.reboot(lab)
    assert reboot.type == "Reboot"
    history = await client.commands(lab.id)
    assert [c.type for c in history[:2]] == ["Reboot", "Custom commands"]
    core = next(d for d in await client.devices() if d.name == "rtr-core-01")
    with pytest.raises(ServerError, match="no credentials"):
        await client.reboot(core)


async def test_bad_token(openwisp_peer_url: Peer) -> None:
    backends = Backends(config_for(openwisp_peer_url, token="f" * 40))
    try:
        with pytest.raises(AuthFailed, match="Invalid token"):
            await backends.clients["openwisp"].ping()
    finally:
        await backends.aclose()


async def test_username_and_password_exchanged_for_a_token(openwisp_peer_url: Peer) -> None:
    """The token endpoint is throttled to 20 a day: one exchange here, reused for every call."""
    settings = BackendSettings(
        name="openwisp",
        kind="openwisp",
        url=openwisp_peer_url.url,
        username="admin",
        password=Secret(SEED_PASSWORD),
        timeout_seconds=20,
    )
    backends = Backends(Config(ui=UiSettings(), backends=(settings,)))
    try:
        client = backends.clients["openwisp"]
        assert isinstance(client, OpenWispClient)
        assert "18" in (await client.ping()).summary
        assert len(await client.devices()) == SEEDED
    finally:
        await backends.aclose()


async def test_wrong_password_is_auth_failed_with_the_server_reason(
    openwisp_peer_url: Peer,
) -> None:
    settings = BackendSettings(
        name="openwisp",
        kind="openwisp",
        url=openwisp_peer_url.url,
        username="admin",
        password=Secret("not-the-password"),
        timeout_seconds=20,
    )
    backends = Backends(Config(ui=UiSettings(), backends=(settings,)))
    try:
        with pytest.raises(AuthFailed) as failed:
            await backends.clients["openwisp"].ping()
        assert "not-the-password" not in str(failed.value)
    finally:
        await backends.aclose()


async def test_devices_tab_on_the_real_controller(openwisp_peer_url: Peer) -> None:
    config = config_for(openwisp_peer_url)
    app = console(config, Backends(config), clock=SYSTEM_CLOCK, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        for _ in range(500):
            if table.row_count == SEEDED:
                break
            await pilot.pause(0.02)
        assert table.row_count == SEEDED
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "rtr-core-01" in names
        table.focus()
        await pilot.press("slash", *"rtr-core-01", "enter", "enter")
        for _ in range(500):
            if isinstance(app.screen, OpenWispDeviceScreen) and app.screen.view is not None:
                break
            await pilot.pause(0.02)
        view = app.screen
        assert isinstance(view, OpenWispDeviceScreen) and view.view is not None
        detail = str(view.query_one("#ow-detail").render())
        assert "ntp-servers" in detail and "Rome HQ" in detail
