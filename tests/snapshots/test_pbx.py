"""What the operator sees on the PBX screen and in an extension: frozen clock, seeded lab."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from noc_tui.ui.screens.pbx_extension import PbxExtensionScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import frozen_console, settled_when, wait_for_first_polls

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


pytestmark = pytest.mark.usefixtures("utc")


async def table_loaded(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await wait_for_first_polls(pilot)
    table = pilot.app.screen.query_one("#pbx-table", LiveTable)
    await settled_when(pilot, lambda: table.row_count >= 300)


async def extension_open(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await table_loaded(pilot)
    await pilot.press(*["down"] * 7, "enter")  # 207: registered, and rings in a callgroup
    await settled_when(pilot, lambda: isinstance(pilot.app.screen, PbxExtensionScreen))
    await settled_when(pilot, lambda: getattr(pilot.app.screen, "loaded", False))


async def callgroups_tab(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await table_loaded(pilot)
    await pilot.press("g")
    table = pilot.app.screen.query_one("#pbx-callgroups", LiveTable)
    await settled_when(pilot, lambda: table.row_count == 8)


@SIZES
def test_pbx_extensions(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="pbx")
    assert snap_compare(app, terminal_size=size, run_before=table_loaded)


@SIZES
def test_pbx_extension_view(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="pbx")
    assert snap_compare(app, terminal_size=size, run_before=extension_open)


def test_pbx_callgroups(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="pbx")
    assert snap_compare(app, terminal_size=(120, 40), run_before=callgroups_tab)
