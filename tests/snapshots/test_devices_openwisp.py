"""The OpenWISP devices table as the operator sees it: frozen clock, seeded lab."""

from __future__ import annotations

import pytest

from noc_tui.ui.screens.devices_openwisp import OpenWispDevicesPane
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import frozen_console


async def openwisp_loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        panes = pilot.app.screen.query(OpenWispDevicesPane)
        pane = panes.first() if panes else None
        reading = pane.reading if pane else None
        if pane and reading and reading.done and pane.query_one("#ow-table", LiveTable).row_count:
            break
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 40)], ids=["80x24", "160x40"])
def test_openwisp_devices_table(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="openwisp")
    assert snap_compare(app, terminal_size=size, run_before=openwisp_loaded)
