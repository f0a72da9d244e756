"""Sorting the alerts table and reading ages in the server's zone (frozen lab)."""

from __future__ import annotations

import dataclasses
import random

from noc_tui.ui.screens.alerts import COLUMNS, AlertsScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import poll_again, wait_until
from tests.ui.librenms_helpers import frozen_librenms

KEYS = [c.key for c in COLUMNS]
HOST, RULE, AGE = KEYS.index("host"), KEYS.index("rule"), KEYS.index("age")


def column(table: LiveTable, index: int) -> list[str]:
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


async def test_sort_keys_and_header_click_keep_the_cursor_on_the_same_alert() -> None:
    app, _, _ = frozen_librenms(start_screen="alerts")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 5)
        ranks = [a.severity_rank for a in screen.shown_rows()]
        assert ranks == sorted(ranks, reverse=True)  # default: most severe first
        await pilot.press("down", "down", "down")
        chosen = table.cursor_key
        await pilot.press("o")  # sort by hostname
        hosts = column(table, HOST)
        assert hosts == sorted(hosts, key=str.lower)
        assert table.cursor_key == chosen
        assert "sort: host" in str(screen.query_one("#alert-summary").render())
        await pilot.press("O")  # reversed
        assert column(table, HOST) == sorted(hosts, key=str.lower, reverse=True)
        assert table.cursor_key == chosen
        # A click on the Rule header sorts by rule; a second click reverses.
        rule_x = sum((c.width or 0) + 2 for c in COLUMNS[:RULE]) + 3  # cells have 1 of padding
        await pilot.click("#alerts", offset=(rule_x, 0))
        rules = column(table, RULE)
        assert rules == sorted(rules, key=str.lower) and screen.sort_column == "rule"
        await pilot.click("#alerts", offset=(rule_x, 0))
        assert column(table, RULE) == sorted(rules, key=str.lower, reverse=True)
        assert table.cursor_key == chosen
        # A poll refresh keeps the order and the cursor.
        await poll_again(pilot, screen)
        assert table.cursor_key == chosen and screen.sort_column == "rule"


async def test_age_reads_timestamps_in_the_server_zone() -> None:
    app, world, clock = frozen_librenms(start_screen="alerts")
    # An alert raised exactly two hours ago; the lab writes Madrid wall-clock time.
    raised = world._open_alert(random.Random(5), clock.now() - 2 * 3600)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts", LiveTable)
        key = str(raised["id"])
        await wait_until(pilot, lambda: key in screen.query_one(LiveTable)._shown)
        assert str(table.get_row(key)[AGE]) == "2h"
        # Told the wrong zone (UTC, the default), the same row would read an hour younger.
        client = screen.client
        assert client is not None
        client.settings = dataclasses.replace(client.settings, timezone=None)
        screen.render_rows()
        assert str(table.get_row(key)[AGE]) == "1h"


def test_shared_age_buckets_write_the_same_age() -> None:
    from noc_tui.ui.format import age_text
    from noc_tui.ui.screens.alert_rows import _age_bucket

    written: dict[int, str] = {}
    for seconds in range(0, 40 * 86400, 7):
        text = age_text(float(seconds))
        assert written.setdefault(_age_bucket(float(seconds)), text) == text
