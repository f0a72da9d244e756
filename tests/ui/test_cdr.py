"""The call records screen over the real lab: query, filter, details, export."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from noc_tui.ui.screens.cdr_detail import CallDetail
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console


async def wait_until(pilot, check, tries: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def test_yesterday_filter_details_and_export(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="cdr")
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.screen.query_one("#cdr-table", LiveTable)
        line = app.screen.query_one("#cdr-summary", Static)
        await pilot.press("y")
        await wait_until(
            pilot, lambda: "calls ·" in str(line.render()) and "loading" not in str(line.render())
        )
        everything = table.row_count
        assert everything > 100
        assert "answered" in str(line.render())
        await pilot.press("slash", *"Recep%", "enter")
        await wait_until(
            pilot, lambda: "loading" not in str(line.render()) and 0 < table.row_count < everything
        )
        filtered = table.row_count
        assert all(str(table.get_row(r.key)[4]) == "Reception" for r in table.ordered_rows)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CallDetail))
        await pilot.press("escape")
        target = tmp_path / "calls.csv"
        await pilot.press("e", *str(target), "enter")
        await wait_until(pilot, target.exists)
        rows = target.read_text().splitlines()
        assert rows[0].startswith("id,unique_id")
        assert len(rows) - 1 == filtered
