"""The LibreNMS tab of the devices screen over the real lab."""

from __future__ import annotations

from noc_tui.ui.screens.devices_librenms import LibreNmsDevicesPane
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until


async def test_table_down_only_and_filter(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("librenms").world
    down = sum(1 for d in world.devices if d["status"] == 0)
    app = live_console(clean_lab, start_screen="devices")
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.screen.query_one(LibreNmsDevicesPane)
        table = pane.query_one("#lnms-devices", LiveTable)
        await wait_until(pilot, lambda: table.row_count == len(world.devices))
        assert "✗ down" in str(table.get_row_at(0)[0])  # down devices first, with a reason
        table.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: table.row_count == down)
        await pilot.press("d", "slash", *list("olt-0"))
        await wait_until(pilot, lambda: 0 < table.row_count < len(world.devices))
        assert all("olt-0" in str(table.get_row_at(i)[1]) for i in range(table.row_count))
