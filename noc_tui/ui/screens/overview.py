"""The overview (key 1): tiles counting what is wrong, the latest criticals, recent downs, health.

One poll job per thing counted (see `overview_data`); a poll that brings the same data repaints
nothing, and the focused tile and the tables' cursors stay where they are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Alert, Device, server_time
from noc_tui.ui.drill import open_drill
from noc_tui.ui.format import STATE_WORDS, age_text, truncate
from noc_tui.ui.overview_data import (
    Kept,
    OverviewData,
    TileData,
    down_devices,
    group_tiles,
    health_tile,
    open_alerts,
)
from noc_tui.ui.poll import PollJob
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.widgets.health_table import SORT_FROM, HealthTable
from noc_tui.ui.widgets.librenms_format import server_age
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.widgets.tile import Tile
from noc_tui.ui.widgets.tile_board import TileBoard

AGE_REFRESH_SECONDS = 5.0
COALESCE_SECONDS = 1.0
LIST_ROWS = 8
CRITICAL_COLUMNS = (
    Column("host", "Host", 24),
    Column("rule", "Rule", 20),
    Column("age", "Age", 5),
)
DOWN_COLUMNS = (
    Column("host", "Host", 22),
    Column("reason", "Reason", 8),
    Column("polled", "Last polled", 11),
)
CRITICAL_TITLE, DOWN_TITLE = "Latest critical alerts", "Recently down"
BREAKPOINTS = [(0, "-compact"), (110, "-wide"), (170, "-full")]


def health_level(client: Any) -> str:
    return {"waiting": "unknown"}.get(
        STATE_WORDS[client.health.state], STATE_WORDS[client.health.state]
    )


def critical_rows(alerts: list[Alert], zone: tzinfo, now: float) -> list[Row]:
    """Open critical alerts, newest state change first (LibreNMS timestamps sort as text)."""
    critical = [a for a in open_alerts(alerts) if a.severity == "critical"]
    critical.sort(key=lambda a: (a.timestamp, a.id), reverse=True)
    rows = []
    for alert in critical[:LIST_ROWS]:
        when = server_time(alert.timestamp, zone)
        age = "?" if when is None else age_text(max(0.0, now - when))
        rows.append(
            Row(
                str(alert.id),
                (
                    truncate(alert.hostname, 24),
                    truncate(alert.rule_name or f"rule {alert.rule_id}", 20),
                    age,
                ),
            )
        )
    return rows


def down_rows(
    devices: list[Device],
    zone: tzinfo,
    now: float,
    limit: int | None = LIST_ROWS,
    host_width: int = 22,
) -> list[Row]:
    """Devices down, most recent first; the overview lists `limit`, the wallboard all."""
    return [
        Row(
            str(d.id),
            (
                truncate(d.hostname, host_width),
                d.down_reason or "—",
                server_age(d.last_polled, zone, now),
            ),
        )
        for d in down_devices(devices)[:limit]
    ]


class OverviewScreen(NocScreen):
    TITLE = "Overview"
    NAME = "overview"
    CSS_PATH = "overview.tcss"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    BINDINGS = [
        Binding("r", "app.refresh_now", "Refresh"),
        Binding("right", "app.focus_next", "Next tile", show=False),
        Binding("left", "app.focus_previous", "Previous tile", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._data: OverviewData | None = None
        self._redraw_due = False  # a coalesced redraw is on its way (many backends)
        self._lists_due = False

    @property
    def data(self) -> OverviewData:
        # Built on first use: the console's services are there once the screen is attached.
        if self._data is None:
            noc = self.noc
            self._data = OverviewData(noc.backends, noc.config.ui, noc.clock, self._kept)
        return self._data

    @property
    def librenms(self) -> LibreNmsClient | None:
        found = self.noc.backends.of_kind("librenms")
        return found[0] if found and isinstance(found[0], LibreNmsClient) else None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="overview-body", can_focus=False):
            yield TileBoard(self.tiles(), id="tiles", wide_lines=2)
            if self.librenms is not None:
                with Horizontal(id="lists"):
                    with Vertical(classes="list"):
                        yield Plain(CRITICAL_TITLE, classes="section-title", id="critical-title")
                        yield LiveTable(id="critical")
                    with Vertical(classes="list"):
                        yield Plain(DOWN_TITLE, classes="section-title", id="down-title")
                        yield LiveTable(id="recent-down")
            yield Plain("Backend health", classes="section-title")
            yield HealthTable(self.noc.backends, self.noc.clock, id="health")
            yield Plain("", id="health-detail")

    def tiles(self) -> list[TileData]:
        return self._tiles()[0]

    def _tiles(self) -> tuple[list[TileData], list[TileData]]:
        """(what the board shows, every backend's own tiles): many of a kind make one tile."""
        states = [(client.name, health_level(client)) for client in self.noc.backends]
        now = self.noc.clock.now()  # health is read live from the client layer
        down = {name for name, level in states if level == "down"}
        own = self.data.tiles(down)
        return [*group_tiles(own), replace(health_tile(states), updated=now)], own

    def poll_jobs(self) -> list[PollJob[Any]]:
        return self.data.jobs

    def on_mount(self) -> None:
        if self.librenms is not None:
            self.query_one("#critical", LiveTable).set_columns(CRITICAL_COLUMNS)
            self.query_one("#recent-down", LiveTable).set_columns(DOWN_COLUMNS)
        self.query_one(HealthTable).build(self.size.width or 80)
        self.set_interval(AGE_REFRESH_SECONDS, self.refresh_view)
        self.watch(self.app, "theme", lambda _: self.refresh_view(force=True), init=False)
        self.call_after_refresh(self._focus_first_tile)

    def _focus_first_tile(self) -> None:
        if not isinstance(self.focused, Tile):
            tiles = self.query(Tile)
            if tiles:
                tiles.first().focus()

    def on_resize(self) -> None:
        self.query_one(HealthTable).build(self.size.width)

    def _kept(self, kept: Kept[Any], changed: bool) -> None:
        if len(self.noc.backends.clients) < SORT_FROM:
            self.refresh_view(lists=changed)
            return
        # Many backends answer many times a second: one redraw a second for all of them (the
        # health table's repaint is what costs), not one per answer.
        self._lists_due = self._lists_due or changed
        if not self._redraw_due:
            self._redraw_due = True
            self.set_timer(COALESCE_SECONDS, self._coalesced)

    def _coalesced(self) -> None:
        lists, self._redraw_due, self._lists_due = self._lists_due, False, False
        self.refresh_view(lists=lists)

    def refresh_view(self, force: bool = False, lists: bool = True) -> None:
        """Ages tick every few seconds; everything else redraws only where text changed."""
        now = self.noc.clock.now()
        tiles, own = self._tiles()
        board = self.query_one(TileBoard)
        if force:
            for tile in board.tiles:
                tile.show(tile.data, now, force=True)
        board.show(tiles, now)
        if lists or force:
            self._show_lists()
        table = self.query_one(HealthTable)
        table.summaries = self._summaries(own)
        table.refresh_rows()
        self._show_detail()

    def _summaries(self, tiles: list[TileData]) -> dict[str, str]:
        words: dict[str, list[str]] = {}
        for tile in tiles:
            if tile.backend and tile.count:
                words.setdefault(tile.backend, []).append(f"{tile.title.split()[0]}: {tile.count}")
        pings = {name: k.value.summary for name, k in self.data.pings.items() if k.value}
        return {**pings, **{name: ", ".join(w) for name, w in words.items()}}

    def _show_lists(self) -> None:
        client = self.librenms
        if client is None:
            return
        alerts = self.data.alerts[client.name].value
        devices = self.data.devices[client.name].value
        if alerts is not None:
            rows = critical_rows(alerts, client.server_zone, self.noc.clock.now())
            self.query_one("#critical", LiveTable).show(rows)
            critical = sum(1 for a in open_alerts(alerts) if a.severity == "critical")
            self._title("#critical-title", CRITICAL_TITLE, len(rows), critical)
        if devices is not None:
            rows = down_rows(devices, client.server_zone, self.noc.clock.now())
            self.query_one("#recent-down", LiveTable).show(rows)
            self._title("#down-title", DOWN_TITLE, len(rows), len(down_devices(devices)))

    def _title(self, selector: str, title: str, shown: int, total: int) -> None:
        """A list cut to its first rows says so, with the true total."""
        text = f"{title}: {shown} of {total:,}" if total > shown else title
        widget = self.query_one(selector, Static)
        if str(widget.content) != text:
            widget.update(text)

    @on(Tile.Opened)
    def _open_tile(self, event: Tile.Opened) -> None:
        # The enter reaches here after the keys typed before it: if one of them left the
        # overview (a screen key, `?`), the operator has moved on.
        if self.is_active:
            open_drill(self.app, event.drill)

    @on(DataTable.RowHighlighted, "#health")
    def _on_highlight(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        client = self.query_one(HealthTable).current
        if client is None:
            return
        health = client.health
        lines = [f"{client.name} ({client.kind})  {client.settings.display_url}"]
        lines.append(f"last error: {truncate(health.last_error or 'none', 200)}")
        if health.consecutive_failures:
            lines.append(f"consecutive failures: {health.consecutive_failures}")
        detail = self.query_one("#health-detail", Static)
        text = Text("\n".join(lines))
        if str(detail.content) != text.plain:
            detail.update(text)
