"""The overview costs the backends the same at any fleet size: it counts with the servers'
own counts and filters, and its counts are right past the 100 pages a list may be read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from noc_tui.sim import Lab
from noc_tui.ui.overview_data import OverviewData
from tests.ui.helpers import live_console, poll_again, tile_text, wait_for_first_polls, wait_until

BIG = {"librenms_devices": 3000, "openwisp_devices": 12_000, "alerts": 300}  # 120 pages of 100


@pytest.fixture(scope="module")
def big_lab() -> Iterator[Lab]:
    lab = Lab(seed=1, cpes=20, **BIG)
    lab.start()
    yield lab
    lab.stop()


async def one_round(lab: Lab) -> dict[str, tuple[int, int, list[str]]]:
    """(requests, bytes, paths) per backend for one refresh of the overview, after its first
    polls (the start-up reads are not a poll's cost)."""
    app = live_console(lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        lab.traffic.clear()
        await poll_again(pilot)
    traffic = lab.traffic.snapshot()
    return {
        name: (got["requests"], got["bytes"], sorted(got["paths"])) for name, got in traffic.items()
    }


async def test_a_poll_costs_the_same_for_twelve_thousand_devices(clean_lab, big_lab) -> None:  # type: ignore[no-untyped-def]
    small, big = await one_round(clean_lab), await one_round(big_lab)
    for backend in ("librenms", "openwisp"):
        assert big[backend][0] == small[backend][0], (backend, small[backend], big[backend])
    # The controller's counts: one row an answer, never a page of the list.
    assert all("page_size=1" in path for path in big["openwisp"][2]), big["openwisp"][2]
    assert big["openwisp"][1] <= 2_000 * big["openwisp"][0]
    # LibreNMS is asked for what is wrong (open alerts, devices down), not for its fleet.
    asked = big["librenms"][2]
    assert all("type=all" not in p and "type=active" not in p for p in asked), asked
    assert any("type=down" in p for p in asked), asked


async def test_the_counts_are_the_servers_at_twelve_thousand_devices(big_lab) -> None:  # type: ignore[no-untyped-def]
    world = big_lab.sim("openwisp").world
    errors = sum(1 for d in world.devices if (d["config"] or {}).get("status") == "error")
    devices = big_lab.sim("librenms").world.devices
    active = sum(1 for d in devices if not d["ignore"] and not d["disabled"])
    app = live_console(big_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        data: OverviewData = app.screen.data  # type: ignore[attr-defined]
        tiles = {tile.data.title: tile for tile in app.screen.query("Tile")}  # type: ignore[attr-defined]
        fleet = f"of {active:,} devices"
        await wait_until(pilot, lambda: fleet in tile_text(tiles["Devices down"]))
        openwisp = tile_text(tiles["OpenWISP config"])
        assert f"{errors:,}" in openwisp and "error" in openwisp
        counts = data.openwisp["openwisp"].value
        assert counts is not None and counts.total == len(world.devices) == 12_000
        # The latest criticals are the first eight: the title says of how many.
        world_lnms = big_lab.sim("librenms").world
        severity = {rule["id"]: rule["severity"] for rule in world_lnms.rules}
        critical = sum(
            1
            for a in world_lnms.alerts.values()
            if a["state"] != 0 and severity[a["rule_id"]] == "critical"
        )
        title = str(app.screen.query_one("#critical-title").render())  # type: ignore[attr-defined]
        assert critical > 8 and f"8 of {critical:,}" in title, title
