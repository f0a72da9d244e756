"""The overview and the wallboard on screen: frozen clock, seeded lab, fixed sizes."""

from __future__ import annotations

import pytest

from tests.ui.helpers import frozen_console, wait_for_first_polls, wait_until
from tests.ui.wallboard_helpers import frozen_board

SIZES = [(80, 24), (120, 40), (200, 60)]
SIZE_IDS = ["80x24", "120x40", "200x60"]
THEMES = ["noc-dark", "mono"]


pytestmark = pytest.mark.usefixtures("utc")


async def every_tile_polled(pilot) -> None:  # type: ignore[no-untyped-def]
    from noc_tui.ui.widgets.tile import Tile

    await wait_for_first_polls(pilot)
    await wait_until(pilot, lambda: all(t.data.updated for t in pilot.app.screen.query(Tile)))
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_overview(snap_compare, size: tuple[int, int], theme: str) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=every_tile_polled)


@pytest.mark.parametrize("theme", THEMES)
def test_wallboard(snap_compare, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = frozen_board(theme=theme)
    assert snap_compare(app, terminal_size=(120, 40), run_before=every_tile_polled)


def test_wallboard_alerts_page(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def second_page(pilot) -> None:  # type: ignore[no-untyped-def]
        await every_tile_polled(pilot)
        await pilot.press("right")
        await pilot.pause()

    app = frozen_board()
    assert snap_compare(app, terminal_size=(120, 40), run_before=second_page)
