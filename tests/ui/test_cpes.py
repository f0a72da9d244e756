"""The CPE screen as an operator uses it: search, open, graphs, actions (over the real lab)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.widgets import Input, Static

from noc_tui.api.krill_values import vendor_serial
from noc_tui.ui.screens.cpe_view import CpeViewScreen
from noc_tui.ui.widgets.graph import TimeGraph
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until, widget_text


def first_gpon(lab):  # type: ignore[no-untyped-def]
    world = lab.sim("krill").world
    return next(
        r
        for r in world.records
        if r["tech"] == "gpon"
        and world.monitor.optics(r)["state"] == "online"
        and r["id"] not in world.monitor.gone
    )


async def test_search_by_vendor_serial_opens_the_cpe_view(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = first_gpon(clean_lab)
    app = live_console(clean_lab, start_screen="cpes", search=vendor_serial(record["sn"]).lower())
    async with app.run_test(size=(120, 50)) as pilot:
        table = app.screen.query_one("#results", LiveTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[0]) == record["cpename"]
        await wait_until(pilot, lambda: "online" in str(table.get_row_at(0)[6]))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
        view = app.screen
        txrx = view.query_one("#txrx", LiveTable)
        await wait_until(pilot, lambda: txrx.row_count >= 4)
        metrics = [str(txrx.get_row_at(i)[0]) for i in range(txrx.row_count)]
        assert "dnrx" in metrics and "upatt" in metrics
        verdict = str(txrx.get_row_at(metrics.index("dnrx"))[4])
        assert verdict.split()[0] in "✓▲✗" and verdict.split()[1] in ("ok", "warning", "critical")
        status = widget_text(view.query_one("#status", Static))
        assert "online" in status and "OLT" in status
        # graphs: live ring buffer has points; a 24 h range loads history
        graph = view.query_one("#graph-txrx", TimeGraph)
        await wait_until(pilot, lambda: graph.points > 0)
        await pilot.press("d")
        await wait_until(pilot, lambda: graph.points > 100)
        assert view.query_one("#graph-bw", TimeGraph).points > 0


async def test_empty_and_unknown_search_say_so(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="cpes")
    async with app.run_test(size=(100, 30)) as pilot:
        status = app.screen.query_one("#search-status", Static)
        await pilot.press("slash")
        assert app.screen.query_one("#search", Input).has_focus
        await pilot.press("enter")
        assert "Empty search" in str(status.render())
        app.screen.query_one("#search", Input).value = "no-such-cpe"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "No CPE matches" in str(status.render()))


async def test_realm_search_pages_as_the_cursor_moves(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="cpes", search="cpe")
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#results", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        first = table.row_count
        assert app.screen.more, "the realm has more CPEs than one page"
        table.focus()
        table.move_cursor(row=first - 1)
        await wait_until(pilot, lambda: table.row_count > first)


async def test_reboot_after_confirmation_reaches_the_lab_and_is_audited(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = first_gpon(clean_lab)
    world = clean_lab.sim("krill").world
    app = live_console(clean_lab, start_screen="cpes", search=record["cpename"])
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#results", LiveTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
        view = app.screen
        await wait_until(pilot, lambda: view.host is not None)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # first offered action: reboot
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: "queued" in view.message)
        assert record["id"] in world.monitor.down_until
    audit = Path(os.environ["XDG_STATE_HOME"]) / "noc-tui" / "audit.jsonl"
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["action"] == "reboot" and lines[0]["outcome"] == "ok"
    world.monitor.down_until.pop(record["id"], None)


async def test_read_only_refuses_actions(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = first_gpon(clean_lab)
    world = clean_lab.sim("krill").world
    app = live_console(clean_lab, read_only=True, start_screen="cpes", search=record["cpename"])
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#results", LiveTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
        await pilot.press("x")
        await wait_until(pilot, lambda: "refused" in app.screen.message)
    assert record["id"] not in world.monitor.down_until


async def test_narrow_terminal_keeps_the_state_column(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="cpes", search="cpe")
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.screen.query_one("#results", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 5)
        table.move_cursor(row=3)
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: len(table.columns) == 5)
        assert table.cursor_row == 3
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-1] == "State"


async def test_krill_failing_says_so_in_place(clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("krill", "error_rate=1")
    app = live_console(clean_lab, start_screen="cpes", search="cpe")
    async with app.run_test(size=(100, 30)) as pilot:
        status = app.screen.query_one("#search-status", Static)
        await wait_until(pilot, lambda: "Search failed" in str(status.render()))
        assert "krill" in str(status.render())
        await pilot.press("1")  # the rest of the console keeps working
        assert app.current_mode == "overview"


async def test_cpe_without_monitoring_says_so(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = first_gpon(clean_lab)
    world = clean_lab.sim("krill").world
    world.monitor.gone.add(record["id"])
    try:
        app = live_console(clean_lab, start_screen="cpes", search=record["cpename"])
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one("#results", LiveTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            await wait_until(pilot, lambda: "? no monitori…" in str(table.get_row_at(0)[6]))
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
            await wait_until(pilot, lambda: "No monitoring data" in app.screen.message)
            assert app.screen.query_one("#txrx", LiveTable).row_count == 0
    finally:
        world.monitor.gone.discard(record["id"])


async def test_unprovision_needs_the_name_typed(clean_lab) -> None:  # type: ignore[no-untyped-def]
    from noc_tui.ui.screens.cpe_actions import ActionMenu
    from noc_tui.ui.widgets.confirm import TypedConfirm

    record = first_gpon(clean_lab)
    world = clean_lab.sim("krill").world
    app = live_console(clean_lab, start_screen="cpes", search=record["cpename"])
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one("#results", LiveTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
            view = app.screen
            await wait_until(pilot, lambda: view.details_loaded)
            await pilot.press("x")
            await wait_until(pilot, lambda: isinstance(app.screen, ActionMenu))
            menu = app.screen
            index = menu.actions.index("unprovision")
            for _ in range(index):
                await pilot.press("down")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirm))
            await pilot.press(*"wrong", "enter")
            await pilot.pause()
            assert isinstance(app.screen, TypedConfirm)  # still asking; nothing sent
            assert record["id"] not in world.monitor.gone
            app.screen.query_one("#typed-name", Input).value = record["cpename"]
            await pilot.press("enter")
            await wait_until(pilot, lambda: record["id"] in world.monitor.gone)
            await wait_until(
                pilot,
                lambda: "No monitoring data" in view.message or "no monitoring" in view.message,
            )
    finally:
        world.monitor.gone.discard(record["id"])
