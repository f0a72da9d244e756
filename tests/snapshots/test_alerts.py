"""The alerts table as the operator sees it: frozen clock, seeded lab."""

from __future__ import annotations

import pytest

from tests.ui.helpers import frozen_console, wait_for_first_polls


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_alerts(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(start_screen="alerts")
    assert snap_compare(app, terminal_size=size, run_before=wait_for_first_polls)
