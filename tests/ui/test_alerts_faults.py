"""LibreNMS misbehaving under the alerts screen and the device view (real loopback lab)."""

from __future__ import annotations

from textual.widgets import Input, Static

from noc_tui.ui.screens.alert_ack import AckDialog
from noc_tui.ui.screens.alerts import COLUMNS, AlertsScreen
from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen
from noc_tui.ui.screens.overview import OverviewScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, poll_again, wait_until

STATE = [c.key for c in COLUMNS].index("state")


def summary(screen: AlertsScreen) -> str:
    return str(screen.query_one("#alert-summary", Static).render())


async def test_ack_of_an_alert_that_vanished_says_so_and_shows_nothing_acknowledged(
    clean_lab,
) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("librenms").world
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        key = table.cursor_key
        assert key is not None
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        app.screen.query_one("#ack-note", Input).value += "on it"
        del world.alerts[int(key)]  # a colleague's recovery cleared it meanwhile
        await pilot.press("enter")
        await wait_until(pilot, lambda: "not acknowledged" in summary(screen))
        assert "no longer exists" in summary(screen)
        assert any("no longer exists" in n.message for n in app._notifications)
        await poll_again(pilot, screen)  # the list as LibreNMS has it now is on screen
        shown = screen.query_one(LiveTable)._shown
        assert key not in shown or str(table.get_row(key)[STATE]) != "acknowledged"


async def test_html_instead_of_json_is_said_in_place_and_the_rows_stay(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        rows, cursor = table.row_count, table.cursor_key
        clean_lab.set_faults("librenms", "garbage")  # a login page from a proxy
        screen.refresh_data()
        await wait_until(pilot, lambda: "✗" in summary(screen))
        assert "librenms" in summary(screen)
        assert table.row_count == rows and table.cursor_key == cursor  # last good rows kept
        clean_lab.set_faults("librenms", "")
        screen.refresh_data()
        await wait_until(pilot, lambda: "✗" not in summary(screen))


async def test_librenms_down_is_said_in_place_and_the_rest_keeps_working(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        target = table.cursor_key
        clean_lab.set_faults("librenms", "down")
        screen.refresh_data()
        await wait_until(pilot, lambda: "unreachable" in summary(screen))
        # An ack now fails, says why, and the row is not shown acknowledged.
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "not acknowledged" in summary(screen))
        assert str(table.get_row(str(target))[STATE]) != "acknowledged"
        # The rest of the console still answers: the overview shows Krill fine.
        await pilot.press("1")
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        krill = app.backends.clients["krill"]
        await wait_until(
            pilot, lambda: krill.health.requests > 0 and krill.health.consecutive_failures == 0
        )


async def test_device_view_with_librenms_answering_html(clean_lab) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.librenms_helpers import open_device

    world = clean_lab.sim("librenms").world
    device = next(d for d in world.devices if d["status"] == 1)
    app = live_console(clean_lab, start_screen="devices")
    async with app.run_test(size=(140, 40)) as pilot:
        await open_device(pilot, device["hostname"])
        screen = app.screen
        assert isinstance(screen, LibreNmsDeviceScreen)
        ports = screen.query_one("#lnms-ports", LiveTable).row_count
        clean_lab.set_faults("librenms", "garbage")
        screen.refresh_data()
        await wait_until(pilot, lambda: screen.message.startswith("✗ librenms"))
        assert "showing the last values" in screen.message
        assert screen.query_one("#lnms-ports", LiveTable).row_count == ports


async def test_a_big_table_is_settled_once_the_console_is_quiet(clean_lab, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """After a big alerts table, one full collection at a quiet moment, then the survivors are
    frozen: the next keystrokes do not pay for a full pass over 10,000 alerts."""
    import gc

    from noc_tui.ui import heap

    monkeypatch.setattr(heap, "BIG_TABLE", 1)  # the lab's few dozen alerts count as big here
    monkeypatch.setattr(heap, "QUIET_SECONDS", 0.3)
    app = live_console(clean_lab, start_screen="alerts")
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        await pilot.press("slash", "o", "l", "t")  # typing puts the pass off; it still comes
        await wait_until(pilot, lambda: app.heap.settled >= 1, tries=200)
        assert gc.get_freeze_count() > 0
    gc.unfreeze()
