"""A frozen console whose LibreNMS lab the test can reach (world, clock), for the LibreNMS tests."""

from __future__ import annotations

import httpx
from textual.pilot import Pilot

from noc_tui.api import Backends
from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab
from noc_tui.sim.librenms_world import LibreNmsWorld
from noc_tui.ui.app import NocApp
from tests.ui.helpers import SNAPSHOT_PORTS, console, lab_config_on_fixed_ports, wait_until


def frozen_librenms(seed: int = 1, **options) -> tuple[NocApp, LibreNmsWorld, FrozenClock]:  # type: ignore[no-untyped-def]
    """The console on a frozen lab through ASGI, and that lab's LibreNMS world and clock."""
    clock = FrozenClock()
    lab = Lab(seed=seed, cpes=10, clock=clock)
    config = lab_config_on_fixed_ports(lab)
    transports = {
        f"http://127.0.0.1:{port}": httpx.ASGITransport(app=lab.asgi_app(name))
        for name, port in SNAPSHOT_PORTS.items()
    }
    backends = Backends(config, clock=clock, transports=transports)
    world = lab.sim("librenms").world
    assert isinstance(world, LibreNmsWorld)
    return console(config, backends, clock=clock, **options), world, clock


async def open_device(pilot: Pilot, hostname: str) -> None:  # type: ignore[type-arg]
    """From the devices screen: filter to `hostname`, then `enter` on it, as an operator would."""
    from noc_tui.ui.screens.devices_librenms import LibreNmsDevicesPane
    from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen
    from noc_tui.ui.widgets.live_table import LiveTable

    app = pilot.app
    table = app.screen.query_one(LibreNmsDevicesPane).query_one(LiveTable)
    await wait_until(pilot, lambda: table.row_count > 0)
    await pilot.press("slash")
    await pilot.press(*list(hostname), "enter")
    await wait_until(pilot, lambda: table.row_count == 1)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, LibreNmsDeviceScreen))
    screen = app.screen
    await wait_until(pilot, lambda: screen.ports is not None)  # type: ignore[attr-defined]
    await pilot.pause()
