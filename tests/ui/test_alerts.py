"""The alerts screen as an operator uses it, over the real lab."""

from __future__ import annotations

from textual.widgets import Input

from noc_tui.ui.screens.alert_ack import AckDialog
from noc_tui.ui.screens.alerts import COLUMNS, AlertsScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until


def cell(table: LiveTable, key: str, column: str) -> str:
    return str(table.get_row(key)[[c.key for c in COLUMNS].index(column)])


async def test_ack_with_note_reaches_the_lab_and_the_row(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("librenms").world
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        first = screen.shown_rows()[0]
        assert first.severity_rank >= max(a.severity_rank for a in screen.shown_rows())
        key = table.cursor_key
        assert key is not None
        target = int(key)
        world.unmute(target, None)  # a known starting state
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        note = app.screen.query_one("#ack-note", Input)
        prefill = note.value
        assert prefill.strip()  # pre-filled with who and when
        await pilot.pause()
        await pilot.press(*"fibre cut")  # typed after who and when, not over them
        await pilot.press("enter")
        await wait_until(pilot, lambda: world.alerts[target]["state"] == 2)
        assert world.alerts[target]["note"].endswith(prefill + "fibre cut")
        await wait_until(pilot, lambda: cell(table, key, "state") == "acknowledged")
        assert table.cursor_key == key
        await pilot.press("u")
        await wait_until(pilot, lambda: app.screen is not screen)
        await pilot.press("y")
        await wait_until(pilot, lambda: world.alerts[target]["state"] == 1)
        await wait_until(pilot, lambda: cell(table, key, "state") == "alert")


async def test_escape_cancels_and_bulk_ack(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("librenms").world
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 2)
        keys = [int(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(2)]
        for alert_id in keys:
            world.unmute(alert_id, None)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert all(world.alerts[i]["state"] == 1 for i in keys)
        await pilot.press("space", "down", "space")
        assert "2 selected" in str(screen.query_one("#alert-summary").render())
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: all(world.alerts[i]["state"] == 2 for i in keys))
        for alert_id in keys:
            world.unmute(alert_id, None)


async def test_read_only_refuses_ack(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("librenms").world
    app = live_console(clean_lab, read_only=True, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        target = int(table.cursor_key or 0)
        world.unmute(target, None)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("read-only" in n.message for n in app._notifications))
        assert world.alerts[target]["state"] == 1


async def test_filter_keystroke_narrows(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        host = screen.shown_rows()[-1].hostname
        await pilot.press("slash", *list(host))
        await wait_until(pilot, lambda: all(a.hostname == host for a in screen.shown_rows()))
        assert table.row_count == len(screen.shown_rows()) >= 1


async def test_enter_opens_details_with_device(clean_lab) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    from noc_tui.ui.screens.alert_detail import AlertDetailScreen

    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AlertDetailScreen))
        box = app.screen.query_one("#alert-device", Static)
        await wait_until(pilot, lambda: "Status" in str(box.render()))
        assert "Location" in str(box.render()) and "Hardware" in str(box.render())


async def test_a_severity_librenms_adds_one_day_reads_as_unknown_in_its_colour(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("librenms").world
    alerts = world.alerts.values() if isinstance(world.alerts, dict) else world.alerts
    open_rule = next(a["rule_id"] for a in alerts if a["state"] != 0)
    rule = next(r for r in world.rules if r["id"] == open_rule)
    rule["severity"] = "emergency"  # not one of ok / warning / critical
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: any(a.severity == "emergency" for a in screen.shown_rows()))
        odd = next(a for a in screen.shown_rows() if a.severity == "emergency")
        await wait_until(pilot, lambda: str(odd.id) in [str(k.value) for k in table.rows])
        badge = table.get_row(str(odd.id))[[c.key for c in COLUMNS].index("severity")]
        # A symbol and the word, as the others, cut with an ellipsis to the 10-cell column.
        assert str(badge) == "? emergen…"
        assert str(badge.style) == app.theme_variables["state-unknown"]


async def test_per_port_faults_are_told_apart(clean_lab) -> None:  # type: ignore[no-untyped-def]
    # Newest LibreNMS sends one alert row per port (fault ids): host, rule, severity and
    # time alike. Without the port each row read the same.
    world = clean_lab.sim("librenms").world
    device = next(
        d for d in world.devices if d["status"] == 1 and len(world.ports[d["device_id"]]) >= 3
    )
    ports = world.ports[device["device_id"]][:3]
    ids = world.open_port_faults(device, ports)
    try:
        app = live_console(clean_lab, start_screen="alerts")
        async with app.run_test(size=(160, 40)) as pilot:
            table = app.screen.query_one("#alerts", LiveTable)
            await wait_until(pilot, lambda: all(str(i) in table.rows for i in ids))
            column = [c.key for c in COLUMNS].index("rule")
            cells = [str(table.get_row(str(i))[column]) for i in ids]
            assert len(set(cells)) == 3, cells
            assert all(p["ifName"] in cell for p, cell in zip(ports, cells, strict=True)), cells
    finally:
        for i in ids:
            world.alerts.pop(i, None)
