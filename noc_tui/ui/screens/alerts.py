"""The alerts screen: LibreNMS alerts, most severe and oldest first, ack/unmute with a note."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Alert
from noc_tui.api.listing import Listing
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_note
from noc_tui.ui.screens.alert_ack import AckDialog, default_note
from noc_tui.ui.screens.alert_detail import AlertDetailScreen
from noc_tui.ui.screens.alert_rows import AlertRows, haystack, last_note
from noc_tui.ui.screens.base import (
    NocScreen,
    focus_now,
    open_over,
    search_key,
    slash_typed_in_a_box,
)
from noc_tui.ui.widgets.confirm import ConfirmAction
from noc_tui.ui.widgets.filter_box import FilterBox
from noc_tui.ui.widgets.librenms_format import SEVERITY_VARIABLES
from noc_tui.ui.widgets.live_table import Column, LiveTable
from noc_tui.ui.widgets.plain import Plain

STATE_FILTERS = ("not ok", "all", "alert", "acknowledged")
SEVERITY_FILTERS = ("any", "critical", "warning")
# Severity, state and age first: at 80 columns they are what must stay in sight.
COLUMNS = (
    Column("sel", " ", 1),
    Column("severity", "Severity", 10),
    Column("state", "State", 12),
    Column("age", "Age", 4),
    Column("host", "Hostname", 28),
    Column("rule", "Rule", 26),
    Column("note", "Note", 30),
)


UTC = zoneinfo.ZoneInfo("UTC")


# Urgency of a state when sorting by state: still getting worse on top, settled at the bottom.
STATE_URGENCY = {3: 0, 1: 1, 5: 2, 4: 3, 2: 4, 0: 5}
SortKey = Callable[[Alert], tuple[Any, ...]]
# Every column sorts the same way on ties: most severe, then oldest (one timezone per server,
# so the "Y-m-d H:i:s" text orders like the time it names).
SORTS: dict[str, SortKey] = {
    "severity": lambda a: (-a.severity_rank, a.timestamp, a.id),
    "host": lambda a: (a.hostname.lower(), -a.severity_rank, a.timestamp, a.id),
    "rule": lambda a: (a.rule_name.lower(), -a.severity_rank, a.timestamp, a.id),
    "state": lambda a: (STATE_URGENCY.get(a.state, 9), -a.severity_rank, a.timestamp, a.id),
    "age": lambda a: (a.timestamp, -a.severity_rank, a.id),
    "note": lambda a: (not a.note, last_note(a.note).lower(), a.timestamp, a.id),
}
SORT_WORDS = {
    "severity": "most severe first",
    "host": "hostname A→Z",
    "rule": "rule A→Z",
    "state": "most urgent state first",
    "age": "oldest first",
    "note": "noted first",
}


def sort_alerts(
    alerts: list[Alert], column: str = "severity", reverse: bool = False
) -> list[Alert]:
    """Default: most severe first, then oldest first (the longest-standing problem on top)."""
    return sorted(alerts, key=SORTS[column], reverse=reverse)


def keep(alert: Alert, state: str, severity: str, text: str) -> bool:
    if state == "not ok" and alert.state == 0:
        return False
    if state not in ("not ok", "all") and alert.state_word != state:
        return False
    if severity != "any" and alert.severity != severity:
        return False
    return text in haystack(alert) if text else True


class AlertsScreen(NocScreen):
    TITLE = "Alerts"
    NAME = "alerts"
    BINDINGS = [
        Binding("a", "ack", "Ack"),
        Binding("u", "unmute", "Unmute"),
        Binding("space", "select", "Select"),
        Binding("s", "cycle_state", "State"),
        Binding("v", "cycle_severity", "Severity"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("O", "reverse_sort", "Reverse sort", show=False),
        search_key("search", "Filter"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]
    CSS_PATH = "alerts.tcss"

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.alerts: dict[int, Alert] = {}
        self.reading = ""  # what was odd in the last answer (repeated ids)
        self.selected: set[int] = set()
        self.state_filter = "not ok"
        self.severity_filter = "any"
        self.text = (search or "").lower()
        self.seen_critical: set[int] | None = None
        self.message = ""  # the last poll's trouble, cleared by the next good poll
        self.action_message = ""  # the last ack/unmute's outcome, until the next one
        self.sort_column = "severity"
        self.sort_reverse = False
        self.worked = AlertRows()
        self._sorted: list[Alert] | None = None  # every alert in table order
        self._badge_styles: tuple[str, ...] = ()
        self._badge_texts: dict[str, Text] = {}

    @property
    def client(self) -> LibreNmsClient | None:
        found = self.noc.backends.of_kind("librenms")
        return found[0] if found and isinstance(found[0], LibreNmsClient) else None

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="alert-summary")
        yield FilterBox(
            self.text,
            placeholder="filter: host, port, rule, note",
            id="alert-filter",
            table="#alerts",
        )
        yield LiveTable(id="alerts")

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        table.set_columns(COLUMNS)
        table.focus()
        if self.text:
            self.query_one("#alert-filter", Input).add_class("shown")
        self._summary()

    def poll_jobs(self) -> list[PollJob[Any]]:
        client = self.client
        if client is None:
            return []
        every = client.settings.poll_seconds
        return [PollJob("alerts", client.name, every, client.alerts, self.show_alerts)]

    def show_alerts(self, polled: Polled[Listing[Alert]]) -> None:
        alerts = polled.outcome
        if isinstance(alerts, BackendError):
            self.message = f"✗ {alerts.title}"
        else:
            self.message = ""
            self.alerts = {a.id: a for a in alerts}
            self.reading = reading_note(alerts, "alerts")
            self.worked.polled(alerts)
            self._sorted = None
            self.selected &= set(self.alerts)
            self._notify_new_critical()
        self.render_rows()

    def _notify_new_critical(self) -> None:
        critical = {
            a.id for a in self.alerts.values() if a.severity == "critical" and a.state in (1, 3)
        }
        if self.seen_critical is not None:
            for alert_id in sorted(critical - self.seen_critical):
                alert = self.alerts[alert_id]
                self.notify(f"✗ critical: {alert.hostname} {alert.rule_name}", severity="error")
                if self.noc.config.ui.bell_on_critical:
                    self.app.bell()
        self.seen_critical = (self.seen_critical or set()) | critical

    def shown_rows(self) -> list[Alert]:
        """The filtered alerts in table order. Sorted once per poll or sort change, not per
        keystroke; each alert's filter text is built once per change of that alert."""
        if self._sorted is None:
            everything = list(self.alerts.values())
            self._sorted = sort_alerts(everything, self.sort_column, self.sort_reverse)
        state, severity, text = self.state_filter, self.severity_filter, self.text
        if state == "not ok" and severity == "any":  # the default, on every keystroke
            shown = [a for a in self._sorted if a.state != 0]
        else:
            shown = [a for a in self._sorted if keep(a, state, severity, "")]
        if not text:
            return shown
        hay = self.worked.hay_of(shown, self._zone())
        return [a for a, words in zip(shown, hay, strict=True) if text in words]

    def _badges(self) -> dict[str, Text]:
        """The severity badges the rows share, emptied when the theme's colours change."""
        colours = self.app.theme_variables
        styles = tuple(colours.get(variable, "") for variable in SEVERITY_VARIABLES)
        if styles != self._badge_styles:
            self._badge_styles, self._badge_texts = styles, {}
        return self._badge_texts

    def _zone(self) -> tzinfo:
        return self.client.server_zone if self.client else UTC

    def render_rows(self) -> None:
        zone, now = self._zone(), self.noc.clock.now()
        rows = self.worked.rows(
            self.shown_rows(), zone, now, self.selected, self.app.theme_variables, self._badges()
        )
        self.query_one(LiveTable).show(rows)
        self._summary(len(rows))
        self.noc.heap.after_big_table(len(self.alerts))

    def _summary(self, count: int = 0) -> None:
        parts = [
            f"{count} alerts",
            f"state: {self.state_filter} (s)",
            f"severity: {self.severity_filter} (v)",
            f"sort: {self.sort_column}{' ↑' if self.sort_reverse else ''} (o)",
        ]
        if self.text:
            parts.append(f"filter: {self.text!r}")
        if self.selected:
            parts.append(f"{len(self.selected)} selected")
        notes = (self.reading, self.message, self.action_message)
        trouble = "   ".join(m for m in notes if m)
        line = " · ".join(parts) + (f"   {trouble}" if trouble else "")
        self.query_one("#alert-summary", Static).update(Text(line))

    # -- sorting ----------------------------------------------------------------------

    def sort_by(self, column: str, reverse: bool = False) -> None:
        """Re-sort; the cursor stays on the same alert and is scrolled into view."""
        self.sort_column, self.sort_reverse = column, reverse
        self._sorted = None
        self.render_rows()
        table = self.query_one(LiveTable)
        if table.row_count:
            table.move_cursor(row=table.cursor_row, scroll=True)
        self.notify(f"Sorted by {column}: {self._sort_words()}", timeout=2)

    def _sort_words(self) -> str:
        words = SORT_WORDS[self.sort_column]
        return f"reversed ({words})" if self.sort_reverse else words

    def action_cycle_sort(self) -> None:
        order = list(SORTS)
        self.sort_by(order[(order.index(self.sort_column) + 1) % len(order)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_column, not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it; a second click on the same header reverses."""
        column = str(event.column_key.value)
        if column not in SORTS:
            return
        reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_by(column, reverse)

    # -- filters --------------------------------------------------------------------

    def action_cycle_state(self) -> None:
        self.state_filter = STATE_FILTERS[(STATE_FILTERS.index(self.state_filter) + 1) % 4]
        self.render_rows()

    def action_cycle_severity(self) -> None:
        index = SEVERITY_FILTERS.index(self.severity_filter)
        self.severity_filter = SEVERITY_FILTERS[(index + 1) % len(SEVERITY_FILTERS)]
        self.render_rows()

    def action_search(self) -> None:
        if slash_typed_in_a_box(self.app):
            return
        box = self.query_one("#alert-filter", Input)
        box.add_class("shown")
        focus_now(box)

    def on_descendant_focus(self) -> None:
        # A hidden filter box must never keep the keys away from the table.
        box = self.query_one("#alert-filter", Input)
        if box.has_focus and not box.has_class("shown"):
            self.query_one(LiveTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        text = event.value.strip().lower()
        if event.input.id == "alert-filter" and text != self.text:
            self.text = text
            self.render_rows()

    def action_clear_search(self) -> None:
        """escape clears the text filter first; with nothing to clear it is the console's Back."""
        box = self.query_one("#alert-filter", Input)
        if not box.value and not box.has_class("shown"):
            self.noc.go_back()
            return
        # Rows, box and focus change in one frame: all 10,000 rows come back in one repaint.
        with self.app.batch_update():
            if self.text:
                self.text = ""
                self.render_rows()
            box.value = ""  # its Changed message then finds the filter already clear
            box.remove_class("shown")
            focus_now(self.query_one(LiveTable))

    # -- actions --------------------------------------------------------------------

    def _current(self) -> Alert | None:
        key = self.query_one(LiveTable).cursor_key
        return self.alerts.get(int(key)) if key else None

    def on_data_table_row_selected(self, event: LiveTable.RowSelected) -> None:
        alert = self.alerts.get(int(str(event.row_key.value)))
        if alert is not None and self.client is not None:
            open_over(self, AlertDetailScreen(self.client, alert))

    def action_select(self) -> None:
        alert = self._current()
        if alert is None:
            return
        self.selected ^= {alert.id}
        self.render_rows()

    def _targets(self) -> list[Alert]:
        if self.selected:
            return [self.alerts[i] for i in sorted(self.selected) if i in self.alerts]
        current = self._current()
        return [current] if current else []

    def action_ack(self) -> None:
        targets = self._targets()
        client = self.client
        if not targets or client is None:
            return
        names = ", ".join(f"{a.hostname} {a.rule_name}" for a in targets[:3])
        more = f" and {len(targets) - 3} more" if len(targets) > 3 else ""
        dialog = AckDialog(
            f"{len(targets)} alert(s): {names}{more}", default_note(self.noc.clock.now())
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(
                    self._ack(client, targets, dialog.note, dialog.until_clear),
                    group="alert-action",
                    exclusive=True,
                    exit_on_error=False,
                )

        open_over(self, dialog, answered)

    async def _ack(
        self, client: LibreNmsClient, targets: list[Alert], note: str, until: bool
    ) -> None:
        failed = []
        for alert in targets:
            try:
                await client.acknowledge(
                    alert.id, note, until, f"alert {alert.id} on {alert.hostname}"
                )
            except BackendError as error:
                failed.append(error.title)
        self._after_action("acknowledged", len(targets), failed)

    def action_unmute(self) -> None:
        alert = self._current()
        client = self.client
        if alert is None or client is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(
                    self._unmute(client, alert),
                    group="alert-action",
                    exclusive=True,
                    exit_on_error=False,
                )

        open_over(
            self,
            ConfirmAction("Unmute alert", f"{alert.hostname}: {alert.rule_name}", "Unmute"),
            answered,
        )

    async def _unmute(self, client: LibreNmsClient, alert: Alert) -> None:
        try:
            await client.unmute(alert.id, f"alert {alert.id} on {alert.hostname}")
        except BackendError as error:
            self._after_action("unmuted", 1, [error.title])
            return
        self._after_action("unmuted", 1, [])

    def _after_action(self, verb: str, count: int, failed: list[str]) -> None:
        """Say what happened; rows change only when the server's answer says so (a re-poll)."""
        if failed:
            self.action_message = f"✗ not {verb}: {failed[0]}"
            if len(failed) < count:
                self.action_message += f" ({count - len(failed)} of {count} {verb})"
            self.notify(self.action_message, severity="error", timeout=8)
        else:
            self.action_message = ""
            self.notify(f"✓ {count} alert(s) {verb}")
        self.selected.clear()
        self._summary(self.query_one(LiveTable).row_count)
        self.refresh_data()


def make_screen(search: str | None = None) -> NocScreen:
    return AlertsScreen(search)
