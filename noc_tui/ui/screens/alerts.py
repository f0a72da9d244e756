"""The alerts screen: LibreNMS alerts, most severe and oldest first, ack/unmute with a note."""

from __future__ import annotations

import re
import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Alert
from noc_tui.ui.format import age_text, truncate
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.alert_ack import AckDialog, default_note
from noc_tui.ui.screens.alert_detail import AlertDetailScreen
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.widgets.confirm import ConfirmAction
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row

SEVERITY_LOOK = {  # symbol, theme variable
    "critical": ("✗", "state-down"),
    "warning": ("▲", "state-degraded"),
    "ok": ("✓", "state-ok"),
}
STATE_FILTERS = ("not ok", "all", "alert", "acknowledged")
SEVERITY_FILTERS = ("any", "critical", "warning")
COLUMNS = (
    Column("sel", " ", 1),
    Column("severity", "Severity", 10),
    Column("host", "Hostname", 28),
    Column("rule", "Rule", 26),
    Column("state", "State", 13),
    Column("age", "Age", 6),
    Column("note", "Note", 30),
)


# LibreNMS prefixes each note line with "<date> - Ack (<user>) ": the table shows the words.
NOTE_PREFIX = re.compile(r"^.*? - (?:Un)?Ack \([^)]*\) ?")


def last_note(note: str) -> str:
    lines = [line for line in note.splitlines() if line.strip()]
    return NOTE_PREFIX.sub("", lines[-1]) if lines else ""


def alert_timestamp(alert: Alert) -> float:
    try:
        return time.mktime(
            time.strptime(alert.timestamp[:19].replace("T", " "), "%Y-%m-%d %H:%M:%S")
        )
    except ValueError:
        return 0.0


def sort_alerts(alerts: list[Alert]) -> list[Alert]:
    """Most severe first, then oldest first (the longest-standing problem on top)."""
    return sorted(alerts, key=lambda a: (-a.severity_rank, a.timestamp, a.id))


def keep(alert: Alert, state: str, severity: str, text: str) -> bool:
    if state == "not ok" and alert.state == 0:
        return False
    if state not in ("not ok", "all") and alert.state_word != state:
        return False
    if severity != "any" and alert.severity != severity:
        return False
    if text:
        hay = f"{alert.hostname} {alert.rule_name} {alert.note} {alert.state_word}".lower()
        return text in hay
    return True


class AlertsScreen(NocScreen):
    TITLE = "Alerts"
    NAME = "alerts"
    BINDINGS = [
        Binding("a", "ack", "Ack"),
        Binding("u", "unmute", "Unmute"),
        Binding("space", "select", "Select"),
        Binding("s", "cycle_state", "State"),
        Binding("v", "cycle_severity", "Severity"),
        Binding("slash", "search", "Filter"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]
    DEFAULT_CSS = """
    AlertsScreen #alert-filter { display: none; }
    AlertsScreen #alert-filter.shown { display: block; }
    AlertsScreen #alert-summary { height: 1; padding: 0 1; }
    """

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.alerts: dict[int, Alert] = {}
        self.selected: set[int] = set()
        self.state_filter = "not ok"
        self.severity_filter = "any"
        self.text = (search or "").lower()
        self.seen_critical: set[int] | None = None
        self.message = ""

    @property
    def client(self) -> LibreNmsClient | None:
        found = self.noc.backends.of_kind("librenms")
        return found[0] if found and isinstance(found[0], LibreNmsClient) else None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="alert-summary")
        yield Input(self.text, placeholder="filter: host, rule, note", id="alert-filter")
        yield LiveTable(id="alerts")

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        table.set_columns(COLUMNS)
        table.focus()
        if self.text:
            self.query_one("#alert-filter", Input).add_class("shown")
        self._summary()
        super().on_mount()

    def poll_jobs(self) -> list[PollJob[Any]]:
        client = self.client
        if client is None:
            return []
        return [PollJob("alerts", client.name, client.settings.poll_seconds, client.alerts)]

    def polled(self, message: Polled) -> None:
        if message.key != "alerts":
            return
        if message.error is not None:
            self.message = f"✗ {message.error.title}"
        else:
            self.message = ""
            self.alerts = {a.id: a for a in message.value}
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

    def visible(self) -> list[Alert]:
        shown = [
            a
            for a in self.alerts.values()
            if keep(a, self.state_filter, self.severity_filter, self.text)
        ]
        return sort_alerts(shown)

    def render_rows(self) -> None:
        now = self.noc.clock.now()
        colours = self.app.theme_variables
        rows = []
        for alert in self.visible():
            symbol, variable = SEVERITY_LOOK.get(alert.severity, ("?", "state-unknown"))
            severity = Text(f"{symbol} {alert.severity or '?'}", style=colours.get(variable, ""))
            note = last_note(alert.note)
            rows.append(
                Row(
                    str(alert.id),
                    (
                        "●" if alert.id in self.selected else " ",
                        severity,
                        alert.hostname,
                        alert.rule_name or f"rule {alert.rule_id}",
                        alert.state_word,
                        age_text(max(0.0, now - alert_timestamp(alert)))
                        if alert.timestamp
                        else "?",
                        truncate(note, 30),
                    ),
                )
            )
        self.query_one(LiveTable).show(rows)
        self._summary(len(rows))

    def _summary(self, count: int = 0) -> None:
        parts = [
            f"{count} alerts",
            f"state: {self.state_filter} (s)",
            f"severity: {self.severity_filter} (v)",
        ]
        if self.text:
            parts.append(f"filter: {self.text!r}")
        if self.selected:
            parts.append(f"{len(self.selected)} selected")
        line = " · ".join(parts) + (f"   {self.message}" if self.message else "")
        self.query_one("#alert-summary", Static).update(Text(line))

    # -- filters --------------------------------------------------------------------

    def action_cycle_state(self) -> None:
        self.state_filter = STATE_FILTERS[(STATE_FILTERS.index(self.state_filter) + 1) % 4]
        self.render_rows()

    def action_cycle_severity(self) -> None:
        index = SEVERITY_FILTERS.index(self.severity_filter)
        self.severity_filter = SEVERITY_FILTERS[(index + 1) % len(SEVERITY_FILTERS)]
        self.render_rows()

    def action_search(self) -> None:
        box = self.query_one("#alert-filter", Input)
        box.add_class("shown")
        box.focus()

    def on_descendant_focus(self) -> None:
        # A hidden filter box must never keep the keys away from the table.
        box = self.query_one("#alert-filter", Input)
        if box.has_focus and not box.has_class("shown"):
            self.query_one(LiveTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "alert-filter":
            self.text = event.value.strip().lower()
            self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "alert-filter":
            self.query_one(LiveTable).focus()

    def action_clear_search(self) -> None:
        """escape clears the text filter first; with nothing to clear it is the console's Back."""
        box = self.query_one("#alert-filter", Input)
        if not box.value and not box.has_class("shown"):
            self.app.action_go_back()  # type: ignore[attr-defined]
            return
        box.value = ""
        box.remove_class("shown")
        self.query_one(LiveTable).focus()

    # -- actions --------------------------------------------------------------------

    def _current(self) -> Alert | None:
        key = self.query_one(LiveTable).cursor_key
        return self.alerts.get(int(key)) if key else None

    def on_data_table_row_selected(self, event: LiveTable.RowSelected) -> None:
        alert = self.alerts.get(int(str(event.row_key.value)))
        if alert is not None and self.client is not None:
            self.app.push_screen(AlertDetailScreen(self.client, alert))

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

        self.app.push_screen(dialog, answered)

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

        self.app.push_screen(
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
            self.notify("✗ " + failed[0], severity="error", timeout=8)
        else:
            self.notify(f"✓ {count} alert(s) {verb}")
        self.selected.clear()
        self.refresh_data()


def make_screen(search: str | None = None) -> NocScreen:
    return AlertsScreen(search)
