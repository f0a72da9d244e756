"""What the operator sees on the overview: frozen clock, seeded lab, fixed terminal sizes."""

from __future__ import annotations

import pytest

from tests.ui.helpers import frozen_console, wait_for_first_polls


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_overview(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(frozen_console(), terminal_size=size, run_before=wait_for_first_polls)


def test_overview_mono(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = frozen_console(theme="mono")
    assert snap_compare(app, terminal_size=(80, 24), run_before=wait_for_first_polls)
