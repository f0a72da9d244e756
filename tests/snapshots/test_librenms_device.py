"""The LibreNMS device view as the operator sees it: frozen clock, seeded lab."""

from __future__ import annotations

import pytest

from noc_tui.ui.screens.devices_librenms import LibreNmsDevicesPane
from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen
from noc_tui.ui.screens.librenms_port import PortGraphScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import frozen_console

DEVICE = "core-rtr-01.noc.example.net"  # up, five ports of several speeds and statuses


async def device_open(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    for _ in range(300):
        panes = app.screen.query(LibreNmsDevicesPane)
        if panes and panes.first().query_one(LiveTable).row_count:
            break
        await pilot.pause(0.02)
    await pilot.press("slash", *list(DEVICE), "enter", "enter")
    for _ in range(300):
        screen = app.screen
        if isinstance(screen, LibreNmsDeviceScreen) and screen.ports is not None:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_librenms_device_view(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="devices")
    assert snap_compare(app, terminal_size=size, run_before=device_open)


async def port_graph_open(pilot) -> None:  # type: ignore[no-untyped-def]
    """The device's first port, then six LibreNMS poll periods: a line of seven points."""
    await device_open(pilot)
    app = pilot.app
    await pilot.press("tab", "enter")
    for _ in range(300):
        if isinstance(app.screen, PortGraphScreen) and len(app.screen.history):
            break
        await pilot.pause(0.02)
    screen = app.screen
    assert isinstance(screen, PortGraphScreen), screen
    for points in range(2, 8):
        app.clock.advance(300)  # LibreNMS polls the port every 300 s
        screen.refresh_data()
        for _ in range(300):
            if len(screen.history) >= points:
                break
            await pilot.pause(0.02)
    await pilot.pause()
    await pilot.pause()


def test_librenms_port_graph(snap_compare, utc: None) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="devices")
    assert snap_compare(app, terminal_size=(120, 40), run_before=port_graph_open)
