"""Every backend's health as a table: state, latency, last good answer, what it said, last error.

Columns follow the width (compact, wide, full); a refresh updates only the cells whose text
changed, so the cursor and the scroll stay where they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from noc_tui.api import ApiClient, Backends
from noc_tui.api.health import BackendState
from noc_tui.clock import Clock
from noc_tui.ui.format import age_text, is_stale, latency_text, state_text, truncate
from noc_tui.ui.widgets.lean_table import LeanDataTable

FULL_COLUMNS = ("backend", "kind", "url", "state", "latency", "last ok", "answer", "last error")
WIDE_COLUMNS = ("backend", "url", "state", "latency", "last ok", "answer", "last error")
COMPACT_COLUMNS = ("backend", "state", "latency", "last ok", "answer")
# Fixed widths (a re-measured column would jump about every poll); the last two share the rest.
WIDTHS = {"backend": 12, "kind": 8, "url": 22, "state": 12, "latency": 8, "last ok": 12}
FLEXIBLE = ("answer", "last error")
COMPACT_BELOW = 110
SORT_FROM = 10  # this many backends or more: the rows put trouble first
STATE_RANK = {
    BackendState.DOWN: 0,
    BackendState.DEGRADED: 1,
    BackendState.UNKNOWN: 2,
    BackendState.OK: 3,
}
FULL_FROM = 150


class HealthTable(LeanDataTable):
    def __init__(self, backends: Backends, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.backends = backends
        self.clock = clock
        self.summaries: Mapping[str, str] = {}
        self._columns: tuple[str, ...] = ()
        self._widths: dict[str, int] = {}
        self._order: list[str] = []  # the backends' names, as the rows are

    def build(self, width: int) -> None:
        """(Re)make the columns for `width`; nothing happens when they would not change."""
        columns = _layout(width)
        widths = _column_widths(columns, width)
        if (columns, widths) == (self._columns, self._widths):
            return
        self._columns, self._widths = columns, widths
        cursor = self.cursor_row
        self.clear(columns=True)
        for column in columns:
            label = {"url": "URL", "last ok": "Last OK"}.get(column, column.title())
            self.add_column(label, key=column, width=widths[column])
        self._add_rows()
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1))

    @property
    def row_names(self) -> list[str]:
        """The backends as the rows show them, top down."""
        return list(self._order)

    def _ordered(self) -> list[ApiClient]:
        """Config order; with many backends, trouble first (then config order), so a down one
        is on screen at 80x24 rather than thirty rows down."""
        clients = list(self.backends)
        if len(clients) < SORT_FROM:
            return clients
        return sorted(clients, key=lambda client: STATE_RANK[client.health.state])

    def _add_rows(self) -> None:
        ordered = self._ordered()
        self._order = [client.name for client in ordered]
        for client in ordered:
            self.add_row(*self._cells(client), key=client.name)

    @property
    def current(self) -> ApiClient | None:
        if not self.row_count:
            return None
        name = str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        return self.backends.clients[name]

    def _cells(self, client: ApiClient) -> list[Any]:
        health = client.health
        now = self.clock.now()
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

    def refresh_rows(self) -> None:
        """Update only the cells whose text changed: the cursor and scroll stay put."""
        if not self._columns:
            return
        if [client.name for client in self._ordered()] != self._order:
            # A state changed the order: rows again, the cursor on the backend it was on.
            current = self.current
            self.clear()
            self._add_rows()
            if current is not None:
                self.move_cursor(row=self._order.index(current.name))
            return
        for client in self.backends:
            for column, value in zip(self._columns, self._cells(client), strict=True):
                current = self.get_cell(client.name, column)
                if _plain(current) != _plain(value) or _style(current) != _style(value):
                    self.update_cell(client.name, column, value)


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
