"""What the operator sees on the CPE screen: frozen clock, seeded lab, fixed terminal sizes."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from noc_tui.clock import FrozenClock
from noc_tui.sim.krill_world import KrillWorld
from noc_tui.ui.screens.cpe_view import CpeViewScreen
from noc_tui.ui.widgets.graph import TimeGraph
from noc_tui.ui.widgets.live_table import LiveTable
from noc_tui.ui.widgets.status_bar import BackendStatusBar
from tests.ui.helpers import frozen_console, settled_when, wait_until


def some_online_gpon() -> str:
    world = KrillWorld(1, FrozenClock(), 120)  # the same world frozen_console builds
    return next(
        r["cpename"]
        for r in world.records
        if r["tech"] == "gpon"
        and world.monitor.optics(r)["state"] == "online"
        and r["voip_profile"]
    )


async def results_loaded(pilot: Pilot) -> None:  # type: ignore[type-arg]
    # The CPE screen polls nothing: the signals are its search's rows and the status bar,
    # which shows Krill's answer on its next beat.
    bar = pilot.app.screen.query_one(BackendStatusBar)
    await wait_until(pilot, lambda: "krill ✓ ok" in (bar._last or ""))
    table = pilot.app.screen.query_one("#results", LiveTable)
    await settled_when(
        pilot, lambda: table.row_count > 0 and "checking" not in str(table.get_row_at(0)[-1])
    )


async def view_loaded(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await results_loaded(pilot)
    await pilot.press("enter")
    await settled_when(pilot, lambda: isinstance(pilot.app.screen, CpeViewScreen))
    screen = pilot.app.screen
    await settled_when(
        pilot,
        lambda: (
            screen.host is not None  # type: ignore[attr-defined]
            and screen.query_one("#txrx", LiveTable).row_count > 0
        ),
    )


async def view_with_history(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await view_loaded(pilot)
    await pilot.press("d")
    graph = pilot.app.screen.query_one("#graph-txrx", TimeGraph)
    await settled_when(pilot, lambda: graph.points > 100)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_cpe_results(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="cpes", search="fibra")
    assert snap_compare(app, terminal_size=size, run_before=results_loaded)


def test_cpe_view(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="cpes", search=some_online_gpon())
    assert snap_compare(app, terminal_size=(120, 40), run_before=view_loaded)


def test_cpe_view_graphs(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="cpes", search=some_online_gpon())
    assert snap_compare(app, terminal_size=(150, 60), run_before=view_with_history)
