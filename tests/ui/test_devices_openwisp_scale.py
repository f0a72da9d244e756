"""The OpenWISP tab at 12,000 devices (120 pages of 100): first rows while the rest streams in,
every device in the end, the server's counts, and the status filter applied by the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static

from noc_tui.sim import Lab
from noc_tui.ui.screens.devices_openwisp import OpenWispDevicesPane
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until

DEVICES = 12_000


@pytest.fixture(scope="module")
def big_lab() -> Iterator[Lab]:
    lab = Lab(seed=1, cpes=20, openwisp_devices=DEVICES)
    lab.start()
    yield lab
    lab.stop()


async def test_a_big_fleet_streams_in_whole_and_filters_on_the_server(big_lab) -> None:  # type: ignore[no-untyped-def]
    world = big_lab.sim("openwisp").world
    big_lab.set_faults("openwisp", "latency=20ms")  # 120 pages take a few seconds to come
    app = live_console(big_lab, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        counts = pane.query_one("#ow-counts", Static)
        # The first page is on screen while the list is still being read, and it says so.
        await wait_until(pilot, lambda: table.row_count > 0, tries=1500)
        assert table.row_count < DEVICES and "reading the list" in str(counts.render())
        big_lab.set_faults("openwisp", "")
        await wait_until(pilot, lambda: pane.reading is not None and pane.reading.done, 3000)
        await wait_until(pilot, lambda: table.row_count == DEVICES)
        assert f"{DEVICES:,} devices" in str(counts.render())
        assert "incomplete" not in str(counts.render())  # past 100 pages, nothing cut
        big_lab.traffic.clear()
        table.focus()
        await pilot.press("s", "s", "s")  # all → applied → modified → error
        await wait_until(pilot, lambda: pane.status == "error" and pane.reading.done, 3000)  # type: ignore[union-attr]
        # The lab's configs apply or fail as time goes on: the server's count of the moment.
        errors = pane.reading.total  # type: ignore[union-attr]
        assert errors and abs(errors - _errors(world)) < 50
        await wait_until(pilot, lambda: table.row_count == errors)
        assert all("error" in str(table.get_row_at(i)[3]) for i in range(0, errors, 97))
        asked = big_lab.traffic.snapshot()["openwisp"]["paths"]
        assert any("config__status=error" in path for path in asked), asked


def _errors(world) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for d in world.devices if (d["config"] or {}).get("status") == "error")
