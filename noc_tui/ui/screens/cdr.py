"""The call records screen: a range preset or filter, calls streamed in as each day arrives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.kalliope_cdr import DIRECTIONS, Call, CdrQuery
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.screens.cdr_detail import CallDetail
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row

PRESETS = {
    "hour": timedelta(hours=1),
    "today": None,
    "yesterday": None,
    "7 days": timedelta(days=7),
}
STATUS_VARIABLES = {
    8: "state-ok",
    4: "state-degraded",
    2: "state-degraded",
    1: "state-down",
    3: "state-down",
}
COLUMNS = (
    Column("start", "Start", 19),
    Column("dir", "Dir", 11),
    Column("caller", "Caller", 14),
    Column("called", "Called", 14),
    Column("group", "Callgroup", 14),
    Column("gw", "Gateway", 14),
    Column("status", "Status", 10),
    Column("bill", "Billsec", 7),
    Column("dur", "Dur", 5),
    Column("uid", "Unique id", 20),
)


def window(preset: str, now: datetime) -> tuple[datetime, datetime]:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if preset == "today":
        return midnight, now
    if preset == "yesterday":
        return midnight - timedelta(days=1), midnight
    return now - (PRESETS[preset] or timedelta(hours=1)), now


def summary(calls: list[Call], done: bool) -> str:
    total = len(calls)
    by = {s: sum(1 for c in calls if c.status == s) for s in (8, 1, 2, 4)}
    billed = sum(c.billsec for c in calls)
    share = f"{100 * by[8] / total:.0f}%" if total else "—"
    state = "" if done else " (loading…)"
    return (
        f"{total} calls{state} · answered {share} · failed {by[1]} · busy {by[2]} · "
        f"no answer {by[4]} · billed {billed // 3600}h{billed % 3600 // 60:02d}m"
    )


class CdrScreen(NocScreen):
    TITLE = "Call records"
    NAME = "cdr"
    BINDINGS = [
        Binding("h", "preset('hour')", "Last hour"),
        Binding("t", "preset('today')", "Today"),
        Binding("y", "preset('yesterday')", "Yesterday"),
        Binding("w", "preset('7 days')", "7 days"),
        Binding("slash", "filter", "Filter"),
        Binding("e", "export", "Export CSV"),
        Binding("f", "follow", "Follow"),
        Binding("enter", "details", "Details", show=False),
    ]
    DEFAULT_CSS = """
    CdrScreen #cdr-query, CdrScreen #cdr-summary { height: 1; }
    CdrScreen Input.hidden { display: none; }
    """

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.preset = "today"
        self.filter_text = search or ""
        self.calls: list[Call] = []
        self.following = False
        self.query_now: CdrQuery | None = None

    @property
    def pbx(self) -> KalliopeClient | None:
        found = [c for c in self.noc.backends.of_kind("kalliope") if isinstance(c, KalliopeClient)]
        return found[0] if found else None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="cdr-query")
        yield Input(
            self.filter_text,
            placeholder="any field; % as wildcard (e.g. 0612%)",
            id="cdr-filter",
            classes="hidden",
            disabled=True,
        )
        yield Input(
            "", placeholder="export to path (CSV)", id="cdr-path", classes="hidden", disabled=True
        )
        yield Static("", id="cdr-summary")
        yield LiveTable(id="cdr-table")

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        table.set_columns(COLUMNS)
        table.focus()
        super().on_mount()
        self.run_query()

    def make_query(self) -> CdrQuery:
        begin, end = window(self.preset, datetime.now(UTC).replace(tzinfo=None, microsecond=0))
        filters = {"any": self.filter_text} if self.filter_text else {}
        return CdrQuery(begin, end, filters)

    def run_query(self) -> None:
        self.query_now = self.make_query()
        self.calls = []
        self.query_one(LiveTable).show([])
        q = self.query_now
        text = f"{self.preset}: {q.begin:%Y-%m-%d %H:%M} → {q.end:%Y-%m-%d %H:%M} UTC"
        if self.filter_text:
            text += f" · filter {self.filter_text!r}"
        if self.following:
            text += " · ⟳ following"
        self.query_one("#cdr-query", Static).update(text)
        self.run_worker(self._stream(q), group="cdr", exclusive=True, exit_on_error=False)

    async def _stream(self, query: CdrQuery) -> None:
        pbx, line = self.pbx, self.query_one("#cdr-summary", Static)
        if pbx is None:
            line.update("No KalliopePBX backend is configured.")
            return
        line.update("loading…")
        try:
            async for batch in pbx.cdr(query):
                self.calls += batch
                self.query_one(LiveTable).show([self._row(c) for c in self.calls])
                line.update(summary(self.calls, done=False))
        except BackendError as error:
            line.update(
                Text(
                    f"✗ {pbx.name}: {error.title}", style=self.app.theme_variables.get("error", "")
                )
            )
            return
        line.update(summary(self.calls, done=True))
        if self.following:
            await asyncio.sleep(pbx.settings.poll_seconds)
            self.call_later(self.run_query)

    def _row(self, call: Call) -> Row:
        symbol, word = DIRECTIONS.get(call.direction, ("?", "unknown"))
        status = Text(
            call.status_word,
            style=self.app.theme_variables.get(
                STATUS_VARIABLES.get(call.status, "state-unknown"), ""
            ),
        )
        return Row(
            call.key,
            (
                call.start,
                f"{symbol} {word}",
                call.caller_num,
                call.called_num,
                call.callgroup,
                call.gateway,
                status,
                str(call.billsec),
                str(call.duration),
                call.unique_id,
            ),
        )

    def action_preset(self, preset: str) -> None:
        self.preset = preset
        self.run_query()

    def _ask(self, widget_id: str) -> None:
        box = self.query_one(widget_id, Input)
        box.disabled = False
        box.remove_class("hidden")
        box.focus()

    def action_filter(self) -> None:
        self._ask("#cdr-filter")

    def action_export(self) -> None:
        self._ask("#cdr-path")

    def action_follow(self) -> None:
        self.following = not self.following
        self.run_query()

    def action_details(self) -> None:
        key = self.query_one(LiveTable).cursor_key
        found = next((c for c in self.calls if c.key == key), None)
        if found:
            self.app.push_screen(CallDetail(found))

    def on_data_table_row_selected(self, event: LiveTable.RowSelected) -> None:
        self.action_details()  # the table takes enter itself and says so with this event

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.add_class("hidden")
        event.input.disabled = True
        self.query_one(LiveTable).focus()
        if event.input.id == "cdr-filter":
            self.filter_text = event.value.strip()
            self.run_query()
        elif event.value.strip() and self.query_now is not None:
            self.run_worker(
                self._export(self.query_now, Path(event.value.strip()).expanduser()),
                group="cdr-export",
                exclusive=True,
                exit_on_error=False,
            )

    async def _export(self, query: CdrQuery, path: Path) -> None:
        pbx = self.pbx
        if pbx is None:
            return
        try:
            text = await pbx.cdr_csv(query)
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")  # off the loop
        except (BackendError, OSError) as error:
            self.notify(f"export failed: {getattr(error, 'title', error)}", severity="error")
            return
        self.notify(f"exported {max(len(text.splitlines()) - 1, 0)} calls to {path}")


def make_screen(search: str | None = None) -> NocScreen:
    return CdrScreen(search)
