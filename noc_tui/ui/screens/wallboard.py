"""The wallboard (`noc-tui --wallboard`): pages that rotate on a wall display, hands off, for days.

Pages: the overview tiles, the open alerts, the down devices, the PBX registrations, the
watched CPEs' live optical levels (each only when its backend is configured). Every widget is
made once at the start and updated in place; graph history lives in bounded deques. Only
`space` (pause), `←`/`→` (step) and `q` do something; any other key says it does nothing.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, Static

from noc_tui.api.librenms import LibreNmsClient
from noc_tui.ui.format import STALE_AFTER_POLLS, age_text
from noc_tui.ui.overview_data import (
    Kept,
    OverviewData,
    TileData,
    WatchedCpe,
    cpe_line,
    group_tiles,
    health_tile,
    open_alerts,
)
from noc_tui.ui.poll import PollJob
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.screens.overview import (
    CRITICAL_COLUMNS,
    critical_rows,
    down_rows,
    health_level,
)
from noc_tui.ui.screens.wallboard_pages import (
    ALERT_COLUMNS,
    ALERT_ROWS,
    DOWN_COLUMNS,
    MISSING_COLUMNS,
    PBX_COLUMNS,
    alert_rows,
    missing_rows,
    pbx_row,
)
from noc_tui.ui.widgets.graph import Line, TimeGraph
from noc_tui.ui.widgets.live_table import LiveTable, Row
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.widgets.status_bar import BackendStatusBar
from noc_tui.ui.widgets.tile_board import TileBoard

ALLOWED_KEYS = {"space", "left", "right", "q", "ctrl+c"}
RING_POINTS = 360  # an hour of 10-second polls per metric and CPE, then the oldest go
MAX_CPE_GRAPHS = 4
LEVELS = ("dnrx", "uprx", "uptx")
HEAD_REFRESH_SECONDS = 1.0
NOTE_SECONDS = 6.0


@dataclass(frozen=True)
class Page:
    id: str
    title: str


class WallboardScreen(NocScreen):
    TITLE = "Wallboard"
    NAME = "wallboard"
    HORIZONTAL_BREAKPOINTS = [(0, "-compact"), (110, "-wide"), (170, "-full")]
    BINDINGS = [
        Binding("space", "pause", "Pause/resume"),
        Binding("left", "step(-1)", "Previous"),
        Binding("right", "step(1)", "Next"),
        Binding("q", "app.quit", "Quit"),
    ]
    CSS_PATH = "wallboard.tcss"

    def __init__(self) -> None:
        super().__init__()
        self._data: OverviewData | None = None
        self.paused = False
        self.index = 0
        self.rotations = 0
        self.rotation_ticks = 0  # the rotation timer's beats, paused or not
        self.rings: dict[str, dict[str, deque[tuple[float, float]]]] = {}
        self._head = ""
        self._plotted: dict[int, tuple[Any, ...]] = {}
        self._note_timer: Timer | None = None

    # -- set-up ----------------------------------------------------------------------------

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

    @property
    def watched(self) -> list[Kept[WatchedCpe]]:
        return [kept for slots in self.data.cpes.values() for kept in slots][:MAX_CPE_GRAPHS]

    @property
    def pages(self) -> list[Page]:
        pages = [Page("overview", "Overview")]
        if self.librenms is not None:
            pages += [Page("alerts", "Open alerts"), Page("down", "Devices down")]
        if self.noc.backends.of_kind("kalliope"):
            pages.append(Page("pbx", "PBX registrations"))
        if self.watched:
            pages.append(Page("cpes", "Watched CPEs: live optical levels"))
        return pages

    @property
    def page(self) -> Page:
        return self.pages[self.index % len(self.pages)]

    def compose(self) -> ComposeResult:
        # No tab line: the numbered screens are not reachable from a wall.
        yield from self.compose_body()
        with Vertical(id="bottom-bars"):
            yield BackendStatusBar(self.noc.backends, self.noc.clock)
            yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="wall-head")
        with ContentSwitcher(id="pages", initial="page-overview"):
            with Vertical(id="page-overview"):
                yield TileBoard(self.tiles(), id="tiles", focusable=False)
                if self.librenms is not None:
                    yield Plain("Latest critical alerts", classes="page-note")
                    yield LiveTable(id="wall-critical")
            with Vertical(id="page-alerts"):
                yield Plain("", id="alerts-note", classes="page-note")
                yield LiveTable(id="wall-alerts")
            with Vertical(id="page-down"):
                yield Plain("", id="down-note", classes="page-note")
                yield LiveTable(id="wall-down")
            with Vertical(id="page-pbx"):
                yield LiveTable(id="wall-pbx")
                yield Plain(
                    "Enabled extensions not registered", classes="page-note", id="pbx-missing-note"
                )
                yield LiveTable(id="wall-pbx-missing")
            with Vertical(id="page-cpes"), Grid(id="cpe-graphs"):
                for index, _ in enumerate(self.watched):
                    yield TimeGraph(id=f"cpe-graph-{index}")

    def tiles(self) -> list[TileData]:
        states = [(client.name, health_level(client)) for client in self.noc.backends]
        now = self.noc.clock.now()
        down = {name for name, level in states if level == "down"}
        tiles = group_tiles(self.data.tiles(down))  # many of a kind make one tile
        return [*tiles, replace(health_tile(states), updated=now)]

    def poll_jobs(self) -> list[PollJob[Any]]:
        return self.data.jobs

    def on_mount(self) -> None:
        self.query_one("#wall-alerts", LiveTable).set_columns(ALERT_COLUMNS)
        self.query_one("#wall-down", LiveTable).set_columns(DOWN_COLUMNS)
        self.query_one("#wall-pbx", LiveTable).set_columns(PBX_COLUMNS)
        self.query_one("#wall-pbx-missing", LiveTable).set_columns(MISSING_COLUMNS)
        if self.librenms is not None:
            self.query_one("#wall-critical", LiveTable).set_columns(CRITICAL_COLUMNS)
        for table in self.query(LiveTable):
            table.can_focus = False  # nothing to select on a wall, so no cursor either
            table.show_cursor = False
        self.rotation = self.set_interval(self.noc.config.ui.rotate_seconds, self._rotate)
        self.set_interval(HEAD_REFRESH_SECONDS, self.refresh_head)
        self.set_interval(5.0, self.refresh_view)
        self.refresh_view()

    # -- rotation and keys -------------------------------------------------------------------

    def _rotate(self) -> None:
        self.rotation_ticks += 1
        if not self.paused:
            self.show_page(self.index + 1)
            self.rotations += 1

    def show_page(self, index: int) -> None:
        self.index = index % len(self.pages)
        self.query_one(ContentSwitcher).current = f"page-{self.page.id}"
        self.refresh_view()

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.say("rotation paused (space resumes)" if self.paused else "rotation resumed")
        self.refresh_head()

    def action_step(self, step: int) -> None:
        self.rotation.reset()  # a full period on the page the operator chose
        self.show_page(self.index + step)

    def on_key(self, event: events.Key) -> None:
        if event.key in ALLOWED_KEYS:
            return
        event.stop()
        event.prevent_default()
        self.say(f"wallboard: {event.key!r} does nothing here (space pause · ←/→ step · q quit)")

    def say(self, note: str) -> None:
        """A word in the status bar, gone after a few seconds (a wall keeps no old notes)."""
        bar = self.query_one(BackendStatusBar)
        bar.show_note(note)
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.set_timer(NOTE_SECONDS, lambda: bar.show_note(""))

    # -- data --------------------------------------------------------------------------------

    def _kept(self, kept: Kept[Any], changed: bool) -> None:
        # A watched CPE's levels move every poll even when its verdict stays the same.
        fresh = kept.value if isinstance(kept.value, WatchedCpe) and not kept.error else None
        if fresh is not None:
            self._record_levels(kept.key, fresh, self.noc.clock.now())
        if changed or fresh is not None:
            self.refresh_view()

    def _record_levels(self, key: str, watched: WatchedCpe, now: float) -> None:
        rings = self.rings.setdefault(key, {m: deque(maxlen=RING_POINTS) for m in LEVELS})
        for metric, series in watched.history.items():
            if metric in rings and not rings[metric]:
                rings[metric].extend(p for p in series.points if p[0] < now)
        info = watched.info
        if info is None or not info.online:
            return
        for reading in info.readings:
            if reading.metric in rings and reading.value is not None and reading.plausible:
                rings[reading.metric].append((now, reading.value))

    def refresh_head(self) -> None:
        now = self.noc.clock.now()
        clock = time.strftime("%H:%M", time.localtime(now))
        state = "⏸ paused" if self.paused else f"⟳ every {self.noc.config.ui.rotate_seconds:g}s"
        page = f"{self.index % len(self.pages) + 1}/{len(self.pages)} {self.page.title}"
        head = f"{clock}  ·  {page}  ·  {state}  ·  read-only"
        if head != self._head:
            self._head = head
            self.query_one("#wall-head", Static).update(head)

    def refresh_view(self) -> None:
        """Only the page on show is redrawn; the others catch up when they come round."""
        now = self.noc.clock.now()
        self.refresh_head()
        page = self.page.id
        if page == "overview":
            self.query_one(TileBoard).show(self.tiles(), now)
            self._show_critical(now)
        elif page == "alerts":
            self._show_alerts(now)
        elif page == "down":
            self._show_down(now)
        elif page == "pbx":
            self._show_pbx(now)
        elif page == "cpes":
            self._show_cpes(now)

    def _note(self, kept: Kept[Any], now: float) -> str:
        """`updated 20s ago`, or what is wrong: the same words the tiles use."""
        error, updated = kept.error, kept.updated
        ago = f"last data {age_text(now - updated)} ago" if updated else "no data yet"
        if error:
            return f"✗ down: {error} · {ago}"
        if updated is None:
            return "… waiting"
        stale = " ◌ stale" if kept.stale(now, STALE_AFTER_POLLS) else ""
        return f"updated {age_text(now - updated)} ago{stale}"

    def _show_critical(self, now: float) -> None:
        client = self.librenms
        kept = self.data.alerts[client.name] if client else None
        if client is None or kept is None or kept.value is None:
            return
        rows = critical_rows(kept.value, client.server_zone, now)
        self.query_one("#wall-critical", LiveTable).show(rows)
        self._dim("#wall-critical", kept)

    def _show_alerts(self, now: float) -> None:
        client = self.librenms
        if client is None:
            return
        kept = self.data.alerts[client.name]
        alerts = open_alerts(kept.value or [])
        rows = alert_rows(alerts, self.app.theme_variables, client.server_zone, now)
        self.query_one("#wall-alerts", LiveTable).show(rows)
        most = f" · the {len(rows)} most severe shown" if len(alerts) > len(rows) else ""
        note = f"{len(alerts):,} open alerts{most} · {self._note(kept, now)}"
        self._dim("#wall-alerts", kept)
        self._set_note("#alerts-note", note)

    def _show_down(self, now: float) -> None:
        client = self.librenms
        if client is None:
            return
        kept = self.data.devices[client.name]
        # The whole page is theirs: every device down, not the overview's first few.
        rows = down_rows(kept.value or [], client.server_zone, now, limit=None, host_width=28)
        self.query_one("#wall-down", LiveTable).show(rows)
        self._dim("#wall-down", kept)
        self._set_note(
            "#down-note", f"{len(rows)} devices down (most recent first) · {self._note(kept, now)}"
        )

    def _set_note(self, selector: str, text: str) -> None:
        note = self.query_one(selector, Static)
        if str(note.content) != text:  # the same words: no repaint
            note.update(text)

    def _dim(self, selector: str, kept: Kept[Any]) -> None:
        # Data kept from before a failure stays readable, dimmed; the note says why.
        stale = kept.stale(self.noc.clock.now(), STALE_AFTER_POLLS)
        self.query_one(selector).set_class(stale, "-stale")

    def _show_pbx(self, now: float) -> None:
        colours = self.app.theme_variables
        rows: list[Row] = []
        missing: list[Row] = []
        for name, kept in self.data.pbx.items():
            updated = kept.updated
            age = (age_text(now - updated) if updated else "never") + (
                " ◌ stale" if kept.stale(now, STALE_AFTER_POLLS) else ""
            )
            rows.append(pbx_row(name, kept.value, bool(kept.error), age, colours))
            missing += missing_rows(name, kept.value)
        self.query_one("#wall-pbx", LiveTable).show(rows)
        self.query_one("#wall-pbx-missing", LiveTable).show(missing[:ALERT_ROWS])
        total = sum(k.value.missing for k in self.data.pbx.values() if k.value is not None)
        shown = min(len(missing), ALERT_ROWS)
        cut = f": {shown} of {total:,} shown" if total > shown else ""
        self._set_note("#pbx-missing-note", f"Enabled extensions not registered{cut}")

    def _show_cpes(self, now: float) -> None:
        for index, kept in enumerate(self.watched):
            graph = self.query_one(f"#cpe-graph-{index}", TimeGraph)
            watched = kept.value
            name = kept.key.rsplit(":", 1)[-1]
            _, verdict = cpe_line(watched) if watched else ("unknown", f"… {name} waiting")
            if kept.error:
                verdict = f"✗ {name}: backend down · {self._note(kept, now)}"
            rings = self.rings.get(kept.key, {})
            lines = [
                Line(m, tuple(t for t, _ in rings[m]), tuple(v for _, v in rings[m]))
                for m in LEVELS
                if m in rings
            ]
            # Replot only when a point or the words changed: plotext redraws the whole widget.
            signature = (verdict, tuple((len(line.xs), line.xs[-1:]) for line in lines))
            if self._plotted.get(index) != signature:
                self._plotted[index] = signature
                graph.show(verdict, "dBm", lines, [], now)
