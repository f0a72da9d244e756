"""The LibreNMS part of the devices screen: every device, `/` to filter, `d` for down only.

LibreNMS answers its whole device list in one body (tens of MB at 50,000 devices), so the
screen does not ask for it every poll: each poll asks for the devices down (`type=down`, what
the operator looks for, on screen first) and re-reads the few that came back up; the whole
list is read at start, every few minutes and on `r`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from noc_tui.api.errors import BackendError, NotFound
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Device
from noc_tui.api.listing import Listing
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_note
from noc_tui.ui.screens.base import (
    NocScreen,
    focus_now,
    open_over,
    search_key,
    slash_typed_in_a_box,
)
from noc_tui.ui.screens.panes import DevicePane
from noc_tui.ui.widgets.filter_box import FilterBox
from noc_tui.ui.widgets.librenms_format import device_status_text, device_uptime_text, server_age
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.plain import Plain

FLEET_SECONDS = 300.0  # the whole list is read again this often (and on `r`)
RECHECK_LIMIT = 20  # devices back up re-read one by one; more than this: the whole list again
DOWN_JOB, FLEET_JOB = "librenms:down", "librenms:devices"
BIG_TABLE = 2_000  # rows: from here a poll with no news leaves the table alone
AGE_SECONDS = 30.0  # but its ages are brought up to date this often


@dataclass(frozen=True)
class DownNow:
    """One poll: the devices down now, and the fresh rows of those that were down before."""

    down: Listing[Device]
    back: tuple[Device, ...]  # were down, are not: their rows as LibreNMS has them now
    gone: frozenset[int]  # were down, are no longer known to LibreNMS (deleted)
    behind: bool  # too many came back to re-read one by one: the whole list is due


COLUMNS = (
    Column("status", "Status", 16),
    Column("host", "Device", 28),  # the display name if set (as LibreNMS lists it), else hostname
    Column("sys", "sysName", 14),
    Column("os", "OS", 14),
    Column("hw", "Hardware", 18),
    Column("loc", "Location", 22),
    Column("up", "Uptime", 8),
    Column("polled", "Last polled", 11),
)


class LibreNmsDevicesPane(DevicePane):
    SOURCE = "librenms"
    TAB_TITLE = "LibreNMS"
    BINDINGS = [
        Binding("d", "down_only", "Down only"),
        search_key("search", "Filter"),
    ]
    DEFAULT_CSS = """
    LibreNmsDevicesPane #lnms-filter { display: none; }
    LibreNmsDevicesPane #lnms-filter.shown { display: block; }
    LibreNmsDevicesPane #lnms-summary { height: 1; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.devices: list[Device] = []  # the whole list as last read, with the polls' news
        self.fleet_read = False  # the whole list has been read once
        self._drawn = 0.0  # when the rows were last built
        self.down_only = False
        self.text = ""
        self.message = ""
        self.reading = ""  # what was odd in the last answer (repeated ids)

    @property
    def client(self) -> LibreNmsClient | None:
        found = self.noc.backends.of_kind("librenms")
        return found[0] if found and isinstance(found[0], LibreNmsClient) else None

    def compose(self) -> ComposeResult:
        yield Plain("", id="lnms-summary")
        yield FilterBox(
            placeholder="filter: host, display name, sysName, OS, hardware, location",
            id="lnms-filter",
            table="#lnms-devices",
        )
        yield LiveTable(id="lnms-devices")

    def on_mount(self) -> None:
        self.query_one(LiveTable).set_columns(COLUMNS)
        self.render_rows()

    def poll_jobs(self) -> list[PollJob[Any]]:
        client = self.client
        if client is None:
            return []
        every = client.settings.poll_seconds
        return [
            PollJob(DOWN_JOB, client.name, every, self._fetch_down, self.show_down),
            PollJob(FLEET_JOB, client.name, FLEET_SECONDS, client.devices, self.show_devices),
        ]

    async def _fetch_down(self) -> DownNow:
        client = self.client
        assert client is not None
        down = await client.devices("down")
        now_down = {d.id for d in down}
        was_down = sorted(d.id for d in self.devices if not d.up and d.id not in now_down)
        if len(was_down) > RECHECK_LIMIT:
            return DownNow(down, (), frozenset(), behind=True)
        back, gone = [], set()
        for device_id in was_down:
            try:
                back.append(await client.device(device_id))
            except NotFound:
                gone.add(device_id)
        return DownNow(down, tuple(back), frozenset(gone), behind=False)

    def show_down(self, polled: Polled[DownNow]) -> None:
        news = polled.outcome
        if isinstance(news, BackendError):
            self.message = f"✗ {news.title}"
            self.render_rows()
            return
        was_failing, self.message = bool(self.message), ""
        screen = self.screen
        if news.behind and isinstance(screen, NocScreen) and screen.poller is not None:
            screen.poller.wake(FLEET_JOB)
        fresh = {d.id: d for d in (*news.down, *news.back)}
        if not self.fleet_read:  # the whole list is on its way: the devices down first
            self.devices = list(news.down)
            self.reading = reading_note(news.down, "devices down")
        else:
            known = {d.id: d for d in self.devices}
            same = not news.gone and all(known.get(i) == d for i, d in fresh.items())
            if same and not was_failing and self._ages_fresh():
                return  # nothing new: 50,000 rows are not rebuilt for it
            kept = [fresh.pop(d.id, d) for d in self.devices if d.id not in news.gone]
            self.devices = kept + list(fresh.values())  # new to the list: down since its read
        self.render_rows()

    def _ages_fresh(self) -> bool:
        """A small table redraws every poll; a big one's "last polled" ages tick every
        AGE_SECONDS at least, not every poll."""
        big = len(self.devices) >= BIG_TABLE
        return big and time.monotonic() - self._drawn < AGE_SECONDS

    def show_devices(self, polled: Polled[Listing[Device]]) -> None:
        devices = polled.outcome
        if isinstance(devices, BackendError):
            self.message = f"✗ the whole list: {devices.title}"
        else:
            self.message = ""
            self.fleet_read = True
            self.devices = list(devices)
            self.reading = reading_note(devices, "devices")
        self.render_rows()

    def shown_rows(self) -> list[Device]:
        shown = [d for d in self.devices if not (self.down_only and (d.up or d.disabled))]
        if self.text:
            shown = [
                d
                for d in shown
                if self.text
                in f"{d.hostname} {d.display} {d.sys_name} {d.os} {d.hardware} {d.location}".lower()
            ]
        # Down first: that is what an operator looks for here.
        return sorted(shown, key=lambda d: (d.up, d.name, d.hostname))

    def render_rows(self) -> None:
        colours = self.app.theme_variables
        client, now = self.client, self.noc.clock.now()
        zone = client.server_zone if client else UTC
        rows = [
            Row(
                str(d.id),
                (
                    device_status_text(d, colours, in_table=True),
                    d.name,
                    d.sys_name,
                    d.os,
                    d.hardware,
                    d.location,
                    device_uptime_text(d),
                    server_age(d.last_polled, zone, now),
                ),
            )
            for d in self.shown_rows()
        ]
        self.query_one(LiveTable).show(rows)
        self._drawn = time.monotonic()
        down = sum(1 for d in self.devices if not d.up and not d.disabled)
        parts = [
            f"{len(rows):,} of {len(self.devices):,} devices"
            if self.fleet_read
            else f"{len(rows):,} devices down · … reading the whole list",
            f"{down:,} down",
            "down only (d)" if self.down_only else "all (d: down only)",
        ]
        if self.text:
            parts.append(f"filter: {self.text!r}")
        trouble = "   ".join(m for m in (self.reading, self.message) if m)
        line = " · ".join(parts) + (f"   {trouble}" if trouble else "")
        self.query_one("#lnms-summary", Static).update(Text(line))

    def action_down_only(self) -> None:
        self.down_only = not self.down_only
        self.render_rows()

    def action_search(self) -> None:
        if slash_typed_in_a_box(self.app):
            return
        box = self.query_one("#lnms-filter", Input)
        box.add_class("shown")
        focus_now(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "lnms-filter":
            self.text = event.value.strip().lower()
            self.render_rows()

    @on(DataTable.RowSelected, "#lnms-devices")
    def _open(self, event: DataTable.RowSelected) -> None:
        """`enter` on a device: its details and ports."""
        from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen

        client = self.client
        device = next((d for d in self.devices if str(d.id) == event.row_key.value), None)
        if client is not None and device is not None:
            open_over(self, LibreNmsDeviceScreen(client, device))
