"""The PBX screen as an operator uses it, over the real lab."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.widgets import Static

from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until


async def test_extensions_listed_with_statuses_filter_and_unregistered(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="pbx")
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.screen.query_one("#pbx-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count >= 300)
        statuses = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert "✓ registered" in statuses
        counts = str(app.screen.query_one("#pbx-counts", Static).render())
        assert "extensions" in counts and "registered" in counts
        await pilot.press("u")
        await wait_until(pilot, lambda: table.row_count < 300)
        await pilot.pause()
        shown = [str(table.get_row(row.key)[3]) for row in table.ordered_rows]
        keys = [row.key.value for row in table.ordered_rows][:5]
        regs = app.screen.state.registrations
        assert "✓ registered" not in shown, (table.row_count, keys, [regs.get(k) for k in keys])
        await pilot.press("u", "slash", "2", "0", "0")
        await wait_until(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[0]) == "200"


async def test_apply_after_confirmation_clears_banner_and_is_audited(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("kalliope").world
    world.pending = True
    app = live_console(clean_lab, start_screen="pbx")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            banner = app.screen.query_one("#pbx-banner", Static)
            await wait_until(pilot, lambda: not banner.has_class("hidden"))
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("y")
            await wait_until(pilot, lambda: world.pending is False)
            await wait_until(pilot, lambda: banner.has_class("hidden"))
        audit = Path(os.environ["XDG_STATE_HOME"]) / "noc-tui" / "audit.jsonl"
        records = [json.loads(line) for line in audit.read_text().splitlines()]
        assert any(
            r.get("action") == "apply pending changes" and r.get("outcome") == "ok" for r in records
        )
    finally:
        world.pending = True


async def test_revert_refused_in_read_only(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("kalliope").world
    world.pending = True
    app = live_console(clean_lab, read_only=True, start_screen="pbx")
    async with app.run_test(size=(140, 40)) as pilot:
        banner = app.screen.query_one("#pbx-banner", Static)
        await wait_until(pilot, lambda: not banner.has_class("hidden"))
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(
            pilot, lambda: any("revert refused" in n.message for n in app._notifications)
        )
    assert world.pending is True
