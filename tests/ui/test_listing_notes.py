"""A list the backend sent wrong is shown, and the screen says how: ids that came twice are
shown once and counted, a page chain that never ends is cut with the true total."""

from __future__ import annotations

from noc_tui.api.openwisp import MAX_DEVICE_PAGES
from noc_tui.sim import Lab
from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until
from tests.ui.hostile_helpers import drawn

SIZE = (160, 50)


async def test_alerts_say_repeated_ids(clean_lab: Lab) -> None:
    clean_lab.set_faults("librenms", "duplicates")
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "repeated id" in drawn(app), tries=600)
        assert "each shown once" in drawn(app)


async def test_pbx_says_repeated_extensions(clean_lab: Lab) -> None:
    clean_lab.set_faults("kalliope", "duplicates")
    app = live_console(clean_lab, start_screen="pbx")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "repeated id" in drawn(app), tries=600)


async def test_librenms_devices_and_ports_say_repeated_ids(clean_lab: Lab) -> None:
    clean_lab.set_faults("librenms", "duplicates")
    app = live_console(clean_lab, start_screen="devices")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "repeated id" in drawn(app), tries=600)
        await pilot.press("enter")  # the device view and its ports
        await wait_until(pilot, lambda: isinstance(app.screen, LibreNmsDeviceScreen), tries=600)
        ports = app.screen.query_one("#lnms-ports", LiveTable)
        await wait_until(pilot, lambda: ports.row_count > 0, tries=600)
        await wait_until(pilot, lambda: "repeated id" in drawn(app), tries=600)


async def test_openwisp_says_a_page_chain_was_cut(clean_lab: Lab) -> None:
    clean_lab.set_faults("openwisp", "endless")
    app = live_console(clean_lab, start_screen="openwisp")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "⚠ incomplete" in drawn(app), tries=1200)
        text = drawn(app)
        assert f"devices read, the page chain was cut after {MAX_DEVICE_PAGES} pages" in text


async def test_overview_tiles_say_a_list_is_not_whole(clean_lab: Lab) -> None:
    """A tile that counts a list says when the list was not whole; the OpenWISP tile counts
    with the controller's own counts, so an endless page chain cannot make it wrong."""
    clean_lab.set_faults("openwisp", "endless")
    clean_lab.set_faults("librenms", "duplicates")
    world = clean_lab.sim("openwisp").world
    errors = sum(1 for d in world.devices if (d["config"] or {}).get("status") == "error")
    app = live_console(clean_lab)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "ids repeated" in drawn(app), tries=600)
        tiles = {tile.data.title: tile for tile in app.screen.query("Tile")}  # type: ignore[attr-defined]
        openwisp = tiles["OpenWISP config"]
        await wait_until(pilot, lambda: openwisp.data.updated is not None, tries=600)
        assert openwisp.data.word == f"{errors} error"
        assert not any("incomplete" in line for line in openwisp.data.lines)
