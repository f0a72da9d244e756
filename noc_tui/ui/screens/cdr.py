"""The call records screen: a range preset or custom range, field filters, calls streamed in.

The client fetches the range newest window first and parses off the event loop; each batch
is appended to a virtual table (nothing on screen moves) and added to a running tally, so
neither the table nor the summary is rebuilt per batch. Follow mode asks every poll_seconds
for the calls that ended since the last ask and puts them on top, the cursor kept on its call.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.kalliope_cdr import Call, CdrQuery, LicenseBlocked
from noc_tui.ui import cdr_query
from noc_tui.ui.cdr_query import CdrSpec, QueryError
from noc_tui.ui.screens.base import (
    NocScreen,
    focus_now,
    open_over,
    search_key,
    slash_typed_in_a_box,
)
from noc_tui.ui.screens.cdr_detail import CallDetail
from noc_tui.ui.widgets.call_table import CallTable
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.work import async_work

PRESETS = {"hour": "last hour", "today": "today", "yesterday": "yesterday", "7 days": "7 days"}
FOLLOW_OVERLAP = timedelta(minutes=1)  # a call recorded just as we asked is asked for again


def window(preset: str, now: datetime) -> tuple[datetime, datetime]:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if preset == "today":
        return midnight, now
    if preset == "yesterday":
        return midnight - timedelta(days=1), midnight
    if preset == "7 days":
        return now - timedelta(days=7), now
    return now - timedelta(hours=1), now


@dataclass
class Tally:
    """The summary line's numbers, added to batch by batch (never recounted)."""

    total: int = 0
    billed: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def add(self, calls: Iterable[Call]) -> None:
        for call in calls:
            self.total += 1
            self.billed += call.billsec
            self.by_status[call.status] = self.by_status.get(call.status, 0) + 1

    def line(self, loading: bool) -> str:
        count = self.by_status.get
        share = f"{100 * count(8, 0) / self.total:.0f}%" if self.total else "—"
        state = " (loading…)" if loading else ""
        return (
            f"{self.total:,} calls{state} · answered {share} · failed {count(1, 0)} · "
            f"busy {count(2, 0)} · no answer {count(4, 0)} · congestion {count(3, 0)} · "
            f"billed {self.billed // 3600}h{self.billed % 3600 // 60:02d}m"
        )


class CdrScreen(NocScreen):
    TITLE = "Call records"
    NAME = "cdr"
    CSS_PATH = "cdr.tcss"
    BINDINGS = [
        Binding("h", "preset('hour')", "Hour"),
        Binding("t", "preset('today')", "Today"),
        Binding("y", "preset('yesterday')", "Yesterday"),
        Binding("w", "preset('7 days')", "7 days"),
        search_key("ask('#cdr-filter')", "Query"),
        Binding("e", "ask('#cdr-path')", "Export CSV"),
        Binding("f", "follow", "Follow"),
        Binding("p", "next_pbx", "PBX", show=False),
        Binding("escape", "clear", "Clear", show=False),
    ]

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.preset = "today"
        self.query_text = search or ""
        self.spec = CdrSpec()
        self.pbx_index = 0
        self.following = False
        self.loading = False
        self.query_now: CdrQuery | None = None
        self.tally = Tally()
        self.keys: set[str] = set()
        self.blocked: LicenseBlocked | None = None
        self.followed_to: datetime | None = None
        self._follow_timer: Timer | None = None
        self.follows_done = 0  # follow asks answered (or failed) and shown: what tests wait for

    # -- composition -------------------------------------------------------------------------

    @property
    def pbxes(self) -> list[KalliopeClient]:
        found = self.noc.backends.of_kind("kalliope")
        return [c for c in found if isinstance(c, KalliopeClient)]

    @property
    def pbx(self) -> KalliopeClient | None:
        found = self.pbxes
        return found[self.pbx_index % len(found)] if found else None

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="cdr-query")
        yield Input(self.query_text, placeholder=cdr_query.HELP, id="cdr-filter", classes="hidden")
        yield Input("", placeholder="export to path (CSV)", id="cdr-path", classes="hidden")
        yield Plain("", id="cdr-summary")
        yield CallTable(id="cdr-table")

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.disabled = True
        self.query_one(CallTable).focus()
        self.spec = self._parse(self.query_text) or CdrSpec()
        self.call_after_refresh(self.run_query)  # paint first, then ask the PBX

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.noc.clock.now(), UTC).replace(tzinfo=None, microsecond=0)

    # -- the query ---------------------------------------------------------------------------

    def make_query(self) -> CdrQuery:
        begin, end = window(self.preset, self.now())
        spec = self.spec
        if spec.custom_range:
            end = spec.end or self.now()
            begin = spec.begin or end - timedelta(hours=1)
        return CdrQuery(begin, end, dict(spec.filters))

    def run_query(self) -> None:
        """Start the query anew: an empty table, a zero tally, the previous worker cancelled."""
        self._stop_follow()
        gc.unfreeze()  # what the last query froze is looked at again, once
        self.query_now = query = self.make_query()
        self.tally, self.keys, self.blocked = Tally(), set(), None
        self.followed_to = query.end
        table = self.query_one(CallTable)
        table.empty_text = ""
        table.replace([])
        self._show_query_line()

        # A function, not a coroutine: a storm of queries may cancel this worker before it
        # starts, and a coroutine never awaited would be left behind with a warning.
        async def load() -> None:
            await self._load(query)

        self.run_worker(async_work(load), group="cdr", exclusive=True, exit_on_error=False)

    def _show_query_line(self) -> None:
        q, pbx = self.query_now, self.pbx
        if q is None:
            return
        label = "custom" if self.spec.custom_range else PRESETS.get(self.preset, self.preset)
        end = self.followed_to if self.following and self.followed_to else q.end
        parts = [f"{label}: {q.begin:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC"]
        filters = cdr_query.describe(CdrSpec(filters=self.spec.filters))
        parts.append(f"filter {filters}" if filters else "no filter")
        if pbx is not None:
            if len(self.pbxes) > 1:
                parts.append(f"PBX {pbx.name} (p: next)")
            masked = pbx.settings.privacy_password_md5 is None
            parts.append("numbers masked (no privacy password)" if masked else "numbers in full")
        if self.following:
            parts.append("⟳ following")
        self.query_one("#cdr-query", Static).update(" · ".join(parts))

    async def _load(self, query: CdrQuery) -> None:
        pbx, line, table = (
            self.pbx,
            self.query_one("#cdr-summary", Static),
            self.query_one(CallTable),
        )
        if pbx is None:
            line.update("No KalliopePBX backend is configured.")
            return
        self.loading = True
        line.update("loading…")
        try:
            async for batch in pbx.cdr(query):
                self._take(batch, table.extend, fresh=True)
                line.update(self.tally.line(loading=True))
        except BackendError as error:
            self._failed(error)
            return
        finally:
            self.loading = False
        line.update(self.tally.line(loading=False))
        if not self.tally.total:
            table.empty_text = "No calls in this range" + (
                " matching the filter." if query.filters else "."
            )
            table.refresh()
        self._schedule_follow()

    def _take(
        self, batch: list[Call], put: Callable[[list[Call]], None], fresh: bool = False
    ) -> None:
        """Count and show the calls not seen yet; `fresh`: the client already de-duplicated
        within this query, only the keys are noted (for follow mode)."""
        if not fresh:
            batch = [call for call in batch if call.key not in self.keys]
        self.keys.update([call.unique_id or call.id for call in batch])
        self.tally.add(batch)
        put(batch)
        # A full cycle collection walks every tracked object: with 100,000 calls loaded it
        # froze the console for up to 200 ms. What is here now is kept out of those walks;
        # calls hold no cycles, so refcounting still frees them when the query is replaced.
        gc.freeze()

    def _failed(self, error: BackendError) -> None:
        line, table = self.query_one("#cdr-summary", Static), self.query_one(CallTable)
        if isinstance(error, LicenseBlocked):
            self.blocked = error
            line.update(
                f"✗ LICENSE {error.reason.removeprefix('license ').upper()} on {error.backend}: "
                f"the PBX answers no API calls until its license is active (code {error.code})."
            )
            table.empty_text = f"No call records: {error.reason} on the PBX (code {error.code})."
        else:
            line.update(f"✗ {error.title}")
            table.empty_text = "No call records: the query failed (see above)."
        table.refresh()

    # -- follow ------------------------------------------------------------------------------

    def action_follow(self) -> None:
        self.following = not self.following
        self._show_query_line()
        if self.following and not self.loading:
            self.follow_tick()
        elif not self.following:
            self._stop_follow()

    def _schedule_follow(self) -> None:
        pbx = self.pbx
        if self.following and pbx is not None and self.blocked is None:
            self._stop_follow()
            self._follow_timer = self.set_timer(pbx.settings.poll_seconds, self.follow_tick)

    def _stop_follow(self) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None

    def follow_tick(self) -> None:
        """Ask for the calls that ended since the last ask (by end time: a long call that
        started long ago is recorded when it ends)."""
        if self.query_now is None or self.loading or self.blocked is not None:
            return  # a blocked PBX is asked again only by `r` or a new query
        now = self.now()
        since = (self.followed_to or now) - FOLLOW_OVERLAP
        query = CdrQuery(since, now, dict(self.spec.filters), start_flag=False)
        self.run_worker(
            self._follow(query), group="cdr-follow", exclusive=True, exit_on_error=False
        )

    async def _follow(self, query: CdrQuery) -> None:
        try:
            await self._follow_once(query)
        finally:
            self.follows_done += 1

    async def _follow_once(self, query: CdrQuery) -> None:
        pbx, table = self.pbx, self.query_one(CallTable)
        if pbx is None:
            return
        got: list[Call] = []
        try:
            async for batch in pbx.cdr(query):
                got += batch
        except BackendError as error:
            self._failed(error)
            self._schedule_follow()
            return
        got.sort(key=lambda call: call.start, reverse=True)
        self._take(got, table.prepend)
        self.followed_to = query.end
        self.query_one("#cdr-summary", Static).update(self.tally.line(loading=False))
        self._show_query_line()  # the range now reaches the last ask
        self._schedule_follow()

    def on_screen_suspend(self) -> None:
        super().on_screen_suspend()
        self._stop_follow()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self._schedule_follow()

    def refresh_data(self) -> bool:
        """`r`: while following, ask for new calls now; otherwise run the query again."""
        if self.following:
            self.follow_tick()
        else:
            self.run_query()
        return True

    # -- keys --------------------------------------------------------------------------------

    def action_preset(self, preset: str) -> None:
        self.preset = preset
        if self.spec.custom_range:
            self.spec = CdrSpec(filters=self.spec.filters)  # a preset replaces a custom range
            self.query_text = cdr_query.describe(self.spec)
            self.query_one("#cdr-filter", Input).value = self.query_text
        self.run_query()

    def action_next_pbx(self) -> None:
        if len(self.pbxes) > 1:
            self.pbx_index = (self.pbx_index + 1) % len(self.pbxes)
            self.run_query()

    def action_ask(self, widget_id: str) -> None:
        if widget_id == "#cdr-filter" and slash_typed_in_a_box(self.app):
            return
        box = self.query_one(widget_id, Input)
        if widget_id == "#cdr-path" and not box.value and self.query_now is not None:
            box.value = (
                f"~/cdr-{self.query_now.begin:%Y%m%d-%H%M}-{self.query_now.end:%Y%m%d-%H%M}.csv"
            )
        box.disabled = False
        box.remove_class("hidden")
        focus_now(box)

    def action_clear(self) -> None:
        """escape: close an open box first, then clear the filters; else the console's Back."""
        boxes = [box for box in self.query(Input) if not box.has_class("hidden")]
        if boxes:
            for box in boxes:
                self._close(box)
        elif self.spec.filters or self.spec.custom_range:
            self.query_text, self.spec = "", CdrSpec()
            self.query_one("#cdr-filter", Input).value = ""
            self.run_query()
        else:
            self.noc.go_back()

    def _close(self, box: Input) -> None:
        box.add_class("hidden")
        box.disabled = True
        self.query_one(CallTable).focus()

    def on_call_table_selected(self, event: CallTable.Selected) -> None:
        open_over(self, CallDetail(event.call))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._close(event.input)
        value = event.value.strip()
        if event.input.id == "cdr-filter":
            spec = self._parse(value)
            if spec is not None:
                self.query_text, self.spec = value, spec
                self.run_query()
        elif value and self.query_now is not None:
            path = Path(value).expanduser()
            self.run_worker(
                self._export(self.query_now, path), group="cdr-export", exit_on_error=False
            )

    def _parse(self, text: str) -> CdrSpec | None:
        try:
            return cdr_query.parse(text, self.now())
        except QueryError as problem:
            self.notify(str(problem), title="Query not understood", severity="error")
            return None

    async def _export(self, query: CdrQuery, path: Path) -> None:
        """The PBX's own CSV, streamed to the file by the client (writes off the loop)."""
        pbx = self.pbx
        if pbx is None:
            return
        self.notify(f"exporting to {path}…", timeout=2)
        try:
            rows = await pbx.export_cdr_csv(query, path)
        except BackendError as error:
            self.notify(f"export failed: {error.title}", severity="error")
            return
        except OSError as error:
            self.notify(f"export failed: {path}: {error.strerror or error}", severity="error")
            return
        self.notify(f"exported {rows:,} calls to {path}")


def make_screen(search: str | None = None) -> NocScreen:
    return CdrScreen(search)
