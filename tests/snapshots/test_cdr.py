"""The call records table as the operator sees it: frozen clock, seeded lab, fixed sizes."""

from __future__ import annotations

import pytest

from tests.ui.helpers import frozen_console, wait_until


async def calls_loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.query_now is not None and screen.tally.total > 0)
    await wait_until(pilot, lambda: not screen.loading)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_cdr(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="cdr")
    assert snap_compare(app, terminal_size=size, run_before=calls_loaded)
