"""The OpenWISP part of the devices screen: every device and whether its config is applied.

Built for a fleet of 50,000: the counts are the controller's own (polled, a few small answers),
the status, organisation and group filters are the server's, and the list is read a page at a
time, its first rows on screen as soon as the first page is in. The list is read again when
the server's count for the filter changes, on `r`, or every few minutes, never every poll.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.listing import Listing
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.api.openwisp_models import (
    CONFIG_STATUSES,
    ConfigCounts,
    OpenWispDevice,
    OpenWispGroup,
    OpenWispOrganization,
)
from noc_tui.ui.format import age_text, truncate
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_note
from noc_tui.ui.screens.base import focus_now, open_over, search_key, slash_typed_in_a_box
from noc_tui.ui.screens.openwisp_fleet import Fleet
from noc_tui.ui.screens.panes import DevicePane
from noc_tui.ui.widgets.filter_box import FilterBox
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.openwisp_format import CONFIG_LOOK, config_text, when
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.work import async_work

JOB = "openwisp:devices"
COLUMNS = (
    Column("name", "Name", 16),
    Column("org", "Organisation", 12),
    Column("group", "Group", 14),
    Column("status", "Config", 14),
    Column("backend", "Backend", 8),
    Column("model", "Model", 18),
    Column("os", "OS", 16),
    Column("mgmt", "Mgmt IP", 13),
    Column("last", "Last IP", 13),
    Column("modified", "Modified", 17),
)
STATUS_CYCLE: tuple[str | None, ...] = (None, *CONFIG_STATUSES)
RELOAD_SECONDS = 300.0  # a list whose count holds still is read again this often
AGE_SHOWN_SECONDS = 60.0
# While a list streams in, the first page is drawn at once and the rest when it is whole (the
# progress line counts the pages in between): redrawing a growing table of tens of thousands
# of rows every few pages cost more than reading them.


@dataclass(frozen=True)
class Summary:
    """One poll: the whole fleet's counts, how many match the filters, the names for ids."""

    counts: ConfigCounts
    filters: tuple[tuple[str, str], ...]
    matching: int
    organizations: dict[str, OpenWispOrganization]
    groups: dict[str, OpenWispGroup]


@dataclass
class Reading:
    """The list being read, or last read, for one set of server filters."""

    filters: tuple[tuple[str, str], ...]
    started: float
    read: int = 0
    total: int | None = None
    done: bool = False
    stopped: str = ""  # why it stopped before the end
    failed: str = ""  # the error that ended it


class OpenWispDevicesPane(DevicePane):
    SOURCE = "openwisp"
    TAB_TITLE = "OpenWISP"
    BINDINGS = [
        search_key("focus_search", "Search"),
        Binding("s", "cycle('status')", "Status"),
        Binding("o", "cycle('org')", "Org"),
        Binding("g", "cycle('group')", "Group"),
        Binding("escape", "clear_filters", "Clear", show=False),
    ]
    DEFAULT_CSS = """
    OpenWispDevicesPane #ow-counts { height: auto; }
    OpenWispDevicesPane #ow-filters { height: 1; color: $text-muted; }
    OpenWispDevicesPane #ow-search { margin: 0 0 1 0; }
    OpenWispDevicesPane #ow-table { height: 1fr; }
    OpenWispDevicesPane #ow-message { height: auto; color: $warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.devices: Listing[OpenWispDevice] | None = None  # read for the filters
        self.summary: Summary | None = None
        self.reading: Reading | None = None
        self._generation = 0  # a newer read makes an older one's pages moot
        self._first_key: str | None = None
        self.status: str | None = None
        self.org: str | None = None  # organisation id
        self.group: str | None = None  # group id
        self.text = ""

    @property
    def client(self) -> OpenWispClient | None:
        clients = self.noc.backends.of_kind("openwisp")
        first = clients[0] if clients else None
        return first if isinstance(first, OpenWispClient) else None

    def compose(self) -> ComposeResult:
        yield Plain("… waiting for OpenWISP", id="ow-counts")
        yield Plain("", id="ow-filters")
        yield FilterBox(
            placeholder="Filter by name, MAC, IP, model… (/ to focus, esc to clear)",
            id="ow-search",
            compact=True,
            table="#ow-table",
        )
        yield LiveTable(id="ow-table")
        yield Plain("", id="ow-message")

    def on_mount(self) -> None:
        self.query_one(LiveTable).set_columns(COLUMNS)
        if self.client is None:
            self.query_one("#ow-counts", Static).update("No OpenWISP backend is configured.")
        self._show_filters()

    def poll_jobs(self) -> list[PollJob[Any]]:
        client = self.client
        if client is None:
            return []
        every = client.settings.poll_seconds
        return [PollJob(JOB, client.name, every, self._fetch_summary, self.show_summary)]

    def server_filters(self) -> tuple[tuple[str, str], ...]:
        wanted = (
            ("config__status", self.status),
            ("organization", self.org),
            ("group", self.group),
        )
        return tuple((name, value) for name, value in wanted if value)

    async def _fetch_summary(self) -> Summary:
        client = self.client
        assert client is not None
        filters = self.server_filters()
        counts = await client.config_counts()
        matching = await client.device_count(**dict(filters)) if filters else counts.total
        organizations = {o.id: o for o in await client.organizations()}
        groups = {g.id: g for g in await client.groups()}
        return Summary(counts, filters, matching, organizations, groups)

    def show_summary(self, polled: Polled[Summary]) -> None:
        note = self.query_one("#ow-message", Static)
        summary = polled.outcome
        if isinstance(summary, BackendError):
            stale = " (showing the last answer)" if self.fleet else ""
            note.update(f"✗ {summary.title}{stale}")
            return
        if not (self.reading and self.reading.failed):
            note.update("")
        before, self.summary = self.summary, summary
        renamed = before is None or (before.organizations, before.groups) != (
            summary.organizations,
            summary.groups,
        )
        if self._list_is_behind(summary):
            self.load(
                keep_rows=self.reading is not None and self.reading.filters == summary.filters
            )
        elif renamed:  # the rows show organisation and group names
            self.refresh_rows()
        else:  # the same rows: only the counts move (a 50,000-row rebuild is not a poll's)
            self._show_counts()

    @property
    def fleet(self) -> Fleet | None:
        """The devices read, with the names for their ids (what a device's view is handed)."""
        if self.devices is None:
            return None
        summary = self.summary
        names = (summary.organizations, summary.groups) if summary else ({}, {})
        return Fleet(self.devices, *names)

    def _show_counts(self) -> None:
        fleet = self.fleet
        if fleet is not None:
            self.query_one("#ow-counts", Static).update(self._counts_text(fleet))

    def _list_is_behind(self, summary: Summary) -> bool:
        if summary.filters != self.server_filters():
            return False  # asked before the filters changed: its count is not this list's
        reading = self.reading
        if reading is None or reading.filters != summary.filters:
            return reading is None or reading.done
        if not reading.done:
            return False
        aged = time.monotonic() - reading.started > RELOAD_SECONDS
        return bool(reading.failed) or aged or reading.total != summary.matching

    def reload(self) -> None:
        """`r`: read the list again, keeping the rows on screen until the new one is in."""
        if self.reading is None or self.reading.done:
            self.load(keep_rows=True)

    def load(self, keep_rows: bool = False) -> None:
        """Read the list for the filters now, a page at a time. With `keep_rows` (the same
        filters read again) the table keeps its rows until the new list is whole."""
        self._generation += 1
        filters = self.server_filters()
        self.reading = Reading(filters, time.monotonic())
        if not keep_rows:
            self.devices = Listing()
        self.refresh_rows()
        work = partial(self._stream, self._generation, filters, keep_rows)
        self.run_worker(async_work(work), group="ow-list", exclusive=True, exit_on_error=False)

    async def _stream(
        self, generation: int, filters: tuple[tuple[str, str], ...], keep_rows: bool
    ) -> None:
        client, reading = self.client, self.reading
        assert client is not None and reading is not None
        got: dict[str, OpenWispDevice] = {}
        repeated = 0
        try:
            async for page in client.device_pages(dict(filters)):
                if generation != self._generation:
                    return
                got.update((d.id, d) for d in page)
                repeated += page.repeated
                first = not reading.read
                reading.read, reading.total, reading.stopped = len(got), page.total, page.stopped
                if first and not keep_rows:
                    self._take(got, reading, repeated)
                else:
                    self._show_counts()
        except BackendError as error:
            reading.failed = error.title
            self.query_one("#ow-message", Static).update(
                f"✗ reading the list stopped at {len(got):,} devices: {error.title}"
            )
        if generation != self._generation:
            return
        reading.done = True
        if got or not keep_rows:
            self._take(got, reading, repeated)
        else:
            self.refresh_rows()

    def _take(self, got: dict[str, OpenWispDevice], reading: Reading, repeated: int) -> None:
        stopped = reading.stopped or (f"reading failed: {reading.failed}" if reading.failed else "")
        self.devices = Listing(
            got.values(), repeated=repeated, total=reading.total, stopped=stopped
        )
        table = self.query_one(LiveTable)
        untouched = table.cursor_key is None or table.cursor_key == self._first_key
        self.refresh_rows(top=untouched and reading.done)
        if not reading.done and table.row_count:
            self._first_key = table.cursor_key  # where the first page put the cursor

    # -- showing --------------------------------------------------------------------------

    def shown_rows(self) -> list[OpenWispDevice]:
        """The devices read (the server applied the status, organisation and group filters),
        narrowed by the typed text, by name."""
        if self.devices is None:
            return []
        text = self.text.lower()
        shown = []
        for device in self.devices:
            haystack = " ".join(
                (
                    device.name,
                    device.mac_address,
                    device.model,
                    device.os,
                    device.management_ip or "",
                    device.last_ip or "",
                )
            ).lower()
            if text and text not in haystack:
                continue
            shown.append(device)
        return sorted(shown, key=lambda d: d.name)

    def refresh_rows(self, top: bool = False) -> None:
        """Redraw; `top`: the whole list is in and the operator has not moved off the row the
        first page put the cursor on, so the cursor goes to the first row by name."""
        fleet = self.fleet
        if fleet is None:
            return
        colours = self.app.theme_variables
        self.query_one("#ow-counts", Static).update(self._counts_text(fleet))
        rows = []
        looks: dict[str | None, Text] = {}  # one Text per status, shared by its rows
        for device in self.shown_rows():
            status = device.config_status
            look = looks.get(status) or looks.setdefault(status, config_text(status, colours))
            org = fleet.organizations.get(device.organization)
            group = fleet.groups.get(device.group or "")
            rows.append(
                Row(
                    device.id,
                    (
                        truncate(device.name, 16),
                        truncate(org.name if org else "?", 12),
                        truncate(group.name if group else "—", 14),
                        look,
                        device.backend_short or "—",
                        truncate(device.model or "—", 18),
                        truncate(device.os or "—", 16),
                        device.management_ip or "—",
                        device.last_ip or "—",
                        when(device.modified),
                    ),
                )
            )
        self.query_one(LiveTable).show(rows, keep=rows[0].key if top and rows else None)
        self._show_filters(len(rows))

    def _counts_text(self, fleet: Fleet) -> str:
        """The whole fleet by config status, as the server counts it; then how the list on
        screen was read: still coming, cut, or failed, always with the true total."""
        lines = []
        summary = self.summary
        if summary is not None:
            counts = summary.counts
            parts = [
                f"{CONFIG_LOOK[s][0]} {n:,} {CONFIG_LOOK[s][1]}" for s, n in counts.by_status if n
            ]
            if counts.other:  # no config, deactivating or deactivated: not counted one by one
                parts.append(f"{counts.other:,} other")
            lines.append(f"{counts.total:,} devices: " + " · ".join(parts))
        reading = self.reading
        if reading is not None and not reading.done:
            of = f" of {reading.total:,}" if reading.total is not None else ""
            lines.append(f"… reading the list: {reading.read:,}{of} devices so far")
        else:
            note = reading_note(fleet.devices, "devices")
            if note:
                lines.append(note)
            aged = time.monotonic() - reading.started if reading is not None else 0.0
            if aged >= AGE_SHOWN_SECONDS:  # the counts are live; the rows are as last read
                lines.append(f"rows as read {age_text(aged)} ago (r reads them again)")
        return "\n".join(lines) or "… waiting for OpenWISP"

    def _show_filters(self, shown: int | None = None) -> None:
        summary = self.summary
        org = summary.organizations.get(self.org or "") if summary else None
        group = summary.groups.get(self.group or "") if summary else None
        words = [
            f"status: {CONFIG_LOOK[self.status][1] if self.status else 'all'} (s)",
            f"org: {org.name if org else 'all'} (o)",
            f"group: {group.name if group else 'all'} (g)",
        ]
        if self.text:
            words.append(f"text: {self.text!r}")
        if shown is not None:
            words.append(f"{shown:,} shown")
        self.query_one("#ow-filters", Static).update("Filters: " + " · ".join(words))

    # -- filters and opening --------------------------------------------------------------

    def action_cycle(self, which: str) -> None:
        summary = self.summary
        before = self.server_filters()
        if which == "status":
            self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        elif summary and which == "org":
            orgs = summary.organizations
            self.org = _next(self.org, sorted(orgs, key=lambda i: orgs[i].name.lower()))
            self.group = None  # a group belongs to one organisation
        elif summary and which == "group":
            ids = [
                g.id
                for g in sorted(summary.groups.values(), key=lambda g: g.name.lower())
                if not self.org or g.organization == self.org
            ]
            self.group = _next(self.group, ids)
        self._filters_changed(before)

    def filter_status(self, status: str | None) -> None:
        """Show one config status (an overview tile's drill), or all with None."""
        before = self.server_filters()
        self.status = status
        self._filters_changed(before)

    def _filters_changed(self, before: tuple[tuple[str, str], ...]) -> None:
        """The server filters them: a new filter is a new read of the list."""
        if self.server_filters() != before and self.client is not None:
            self.load()
        else:
            self.refresh_rows()
        self._show_filters()

    def action_clear_filters(self) -> None:
        """escape clears the filters first; with nothing to clear it is the console's Back."""
        if not (self.status or self.org or self.group or self.text):
            self.noc.go_back()
            return
        before = self.server_filters()
        self.status = self.org = self.group = None
        self.text = ""
        self.query_one("#ow-search", Input).value = ""
        self.query_one(LiveTable).focus()
        self._filters_changed(before)

    def action_focus_search(self) -> None:
        if slash_typed_in_a_box(self.app):
            return
        focus_now(self.query_one("#ow-search", Input))

    @on(Input.Changed, "#ow-search")
    def _typed(self, event: Input.Changed) -> None:
        self.text = event.value.strip()
        self.refresh_rows()

    @on(DataTable.RowSelected, "#ow-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from noc_tui.ui.screens.openwisp_device import OpenWispDeviceScreen

        client, fleet = self.client, self.fleet
        if client is None or fleet is None:
            return
        device = next((d for d in fleet.devices if d.id == event.row_key.value), None)
        if device is not None:
            open_over(self, OpenWispDeviceScreen(client, device, fleet))


def _next(current: str | None, ids: list[str]) -> str | None:
    """All → first → … → last → all."""
    if not ids:
        return None
    if current not in ids:
        return ids[0]
    index = ids.index(current) + 1
    return ids[index] if index < len(ids) else None
