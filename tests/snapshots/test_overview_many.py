"""The overview of a NOC with 35 backends (30 PBXes, 3 LibreNMS, 2 Krill, one PBX down) at
120x40: one tile per kind, worst first, the status bar summed up by state."""

from __future__ import annotations

import pytest

from noc_tui.ui.widgets.status_bar import BackendStatusBar
from tests.snapshots.test_overview import every_tile_polled
from tests.ui.many_helpers import many_frozen_console

pytestmark = pytest.mark.usefixtures("utc")


def test_overview_with_many_backends(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
        from tests.ui.helpers import wait_until

        await every_tile_polled(pilot)
        bar = pilot.app.screen.query_one(BackendStatusBar)
        await wait_until(pilot, lambda: "down: kalliope-7" in bar.render_status().plain)
        bar.refresh_status()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(many_frozen_console(), terminal_size=(120, 40), run_before=settled)
