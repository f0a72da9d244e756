"""The overview: every backend's health at a glance, refreshed by one poll loop per backend."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from noc_tui.api import ApiClient, PingResult
from noc_tui.ui.format import age_text, is_stale, latency_text, state_text, truncate
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.base import NocScreen

FULL_COLUMNS = ("backend", "kind", "url", "state", "latency", "last ok", "answer", "last error")
WIDE_COLUMNS = ("backend", "url", "state", "latency", "last ok", "answer", "last error")
COMPACT_COLUMNS = ("backend", "state", "latency", "last ok", "answer")
# Fixed widths (a re-measured column would jump about every poll); the last two share the rest.
WIDTHS = {"backend": 12, "kind": 8, "url": 22, "state": 12, "latency": 8, "last ok": 12}
FLEXIBLE = ("answer", "last error")
COMPACT_BELOW = 110
FULL_FROM = 150
AGE_REFRESH_SECONDS = 5.0


class OverviewScreen(NocScreen):
    TITLE = "Overview"
    NAME = "overview"
    CSS_PATH = "overview.tcss"
    BINDINGS = [Binding("r", "app.refresh_now", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: dict[str, str] = {}
        self._columns: tuple[str, ...] = ()
        self._widths: dict[str, int] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Backend health", classes="section-title")
        table: DataTable[Any] = DataTable(id="health", cursor_type="row", zebra_stripes=False)
        yield table
        yield Static("", id="health-detail", markup=False)

    def poll_jobs(self) -> list[PollJob[Any]]:
        return [
            PollJob(f"ping:{client.name}", client.name, client.settings.poll_seconds, client.ping)
            for client in self.noc.backends
        ]

    def on_mount(self) -> None:
        self._build_table(self.size.width or 80)
        super().on_mount()
        self.set_interval(AGE_REFRESH_SECONDS, self.refresh_rows)
        self.watch(self.app, "theme", lambda _: self.refresh_rows(), init=False)

    def on_resize(self) -> None:
        self._build_table(self.size.width)

    def _build_table(self, width: int) -> None:
        columns = _layout(width)
        widths = _column_widths(columns, width)
        if (columns, widths) == (self._columns, self._widths):
            return
        self._columns, self._widths = columns, widths
        table = self.query_one("#health", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for column in columns:
            label = {"url": "URL", "last ok": "Last OK"}.get(column, column.title())
            table.add_column(label, key=column, width=widths[column])
        for client in self.noc.backends:
            table.add_row(*self._cells(client), key=client.name)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._show_detail()

    def _cells(self, client: ApiClient) -> list[Any]:
        health = client.health
        now = self.noc.clock.now()
        stale = is_stale(health, client.settings.poll_seconds, now)
        values: dict[str, Any] = {
            "backend": truncate(client.name, self._widths["backend"]),
            "kind": client.kind,
            "url": truncate(client.settings.display_url, self._widths.get("url", 0)),
            "state": state_text(health.state, self.app.theme_variables),
            "latency": latency_text(health.latency_ms),
            "last ok": _age_cell(age_text(health.age(now)), stale),
            "answer": truncate(self.summaries.get(client.name, "—"), self._widths["answer"]),
            "last error": truncate(
                health.last_error_label or "", self._widths.get("last error", 0)
            ),
        }
        return [values[column] for column in self._columns]

    def polled(self, message: Polled) -> None:
        if isinstance(message.value, PingResult):
            self.summaries[message.backend] = message.value.summary
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Update only the cells whose text changed: the cursor and scroll stay put."""
        table = self.query_one("#health", DataTable)
        for client in self.noc.backends:
            for column, value in zip(self._columns, self._cells(client), strict=True):
                current = table.get_cell(client.name, column)
                if _plain(current) != _plain(value) or _style(current) != _style(value):
                    table.update_cell(client.name, column, value)
        self._show_detail()

    @on(DataTable.RowHighlighted, "#health")
    def _on_highlight(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one("#health", DataTable)
        if not table.row_count:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        client = self.noc.backends.clients[name]
        health = client.health
        lines = [f"{client.name} ({client.kind})  {client.settings.display_url}"]
        lines.append(f"last error: {health.last_error or 'none'}")
        if health.consecutive_failures:
            lines.append(f"consecutive failures: {health.consecutive_failures}")
        detail = self.query_one("#health-detail", Static)
        text = "\n".join(lines)
        if str(detail.content) != text:
            detail.update(text)


def _layout(width: int) -> tuple[str, ...]:
    if width < COMPACT_BELOW:
        return COMPACT_COLUMNS
    return FULL_COLUMNS if width >= FULL_FROM else WIDE_COLUMNS


def _age_cell(age: str, stale: bool) -> Text:
    return Text(f"{age} ◌ stale", style="italic") if stale else Text(age)


def _column_widths(columns: tuple[str, ...], width: int) -> dict[str, int]:
    """Fixed columns as set; the flexible ones split what is left (2 cells of padding each)."""
    widths = {column: WIDTHS[column] for column in columns if column in WIDTHS}
    flexible = [column for column in columns if column in FLEXIBLE]
    spare = width - 4 - sum(widths.values()) - 2 * len(columns)
    shares = {"answer": 0.6, "last error": 0.4} if len(flexible) == 2 else {"answer": 1.0}
    for column in flexible:
        widths[column] = max(10, int(spare * shares[column]))
    return widths


def _plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def _style(value: Any) -> str:
    return str(value.style) if isinstance(value, Text) else ""
