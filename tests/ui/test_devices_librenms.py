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


async def test_last_polled_is_an_age_not_the_servers_wall_clock(clean_lab) -> None:  # type: ignore[no-untyped-def]
    # The lab's LibreNMS keeps Europe/Madrid time and says so only in its settings; shown
    # as sent, "last polled" would read an hour in the future on a UTC jump host.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from noc_tui.ui.format import age_text

    madrid = ZoneInfo("Europe/Madrid")
    app = live_console(clean_lab, start_screen="devices")
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.screen.query_one(LibreNmsDevicesPane)
        table = app.screen.query_one("#lnms-devices", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        now = app.clock.now()
        for device in pane.devices:
            wall = datetime.fromisoformat(device.last_polled).replace(tzinfo=madrid)
            expected = age_text(now - wall.timestamp())
            shown = str(table.get_row(str(device.id))[-1])
            assert shown.endswith(" ago"), shown
            # the same coarse age, or the next bucket if a tick passed in between
            assert shown.split()[0] in {expected, age_text(now + 10 - wall.timestamp())}, (
                device.hostname,
                device.last_polled,
                shown,
            )


async def test_polls_ask_for_the_devices_down_not_the_whole_list(clean_lab) -> None:  # type: ignore[no-untyped-def]
    """A device back up shows up at the next poll, re-read on its own: the whole list (tens
    of MB at 50,000 devices) is not asked for every poll."""
    world = clean_lab.sim("librenms").world
    app = live_console(clean_lab, start_screen="devices")
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.screen.query_one(LibreNmsDevicesPane)
        table = pane.query_one("#lnms-devices", LiveTable)
        await wait_until(pilot, lambda: pane.fleet_read and table.row_count == len(world.devices))
        back = next(d for d in world.devices if d["status"] == 0 and not d["disabled"])
        clean_lab.traffic.clear()
        reason = back["status_reason"]
        back["status"], back["status_reason"] = 1, ""
        key = str(back["device_id"])
        try:
            await wait_until(pilot, lambda: "✓ up" in str(table.get_row(key)[0]), tries=600)
        finally:  # the session's lab is shared: the device goes down again for the next test
            back["status"], back["status_reason"] = 0, reason
        asked = clean_lab.traffic.snapshot()["librenms"]["paths"]
        assert any("type=down" in path for path in asked), asked
        assert any(path.startswith(f"/api/v0/devices/{key}") for path in asked), asked
        assert not any("type=all" in path for path in asked), asked
