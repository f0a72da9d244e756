"""The OpenWISP part of the devices screen: every device and whether its config is applied."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.api.openwisp_models import (
    CONFIG_STATUSES,
    OpenWispDevice,
)
from noc_tui.ui.format import truncate
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_note
from noc_tui.ui.screens.base import focus_now, open_over, search_key, slash_typed_in_a_box
from noc_tui.ui.screens.openwisp_fleet import Fleet
from noc_tui.ui.screens.panes import DevicePane
from noc_tui.ui.widgets.filter_box import FilterBox
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.openwisp_format import CONFIG_LOOK, config_text, when
from noc_tui.ui.widgets.plain import Plain

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
        self.fleet: Fleet | None = None
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
        return [PollJob(JOB, client.name, every, self._fetch, self.show_fleet)]

    async def _fetch(self) -> Fleet:
        client = self.client
        assert client is not None
        organizations = {o.id: o for o in await client.organizations()}
        groups = {g.id: g for g in await client.groups()}
        return Fleet(await client.devices(), organizations, groups)

    def show_fleet(self, polled: Polled[Fleet]) -> None:
        note = self.query_one("#ow-message", Static)
        fleet = polled.outcome
        if isinstance(fleet, BackendError):
            stale = " (showing the last answer)" if self.fleet else ""
            note.update(f"✗ {fleet.title}{stale}")
            return
        note.update("")
        self.fleet = fleet
        self.refresh_rows()

    # -- showing --------------------------------------------------------------------------

    def shown_rows(self) -> list[OpenWispDevice]:
        if self.fleet is None:
            return []
        text = self.text.lower()
        shown = []
        for device in self.fleet.devices:
            if self.status and device.config_status != self.status:
                continue
            if self.org and device.organization != self.org:
                continue
            if self.group and device.group != self.group:
                continue
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

    def refresh_rows(self) -> None:
        fleet = self.fleet
        if fleet is None:
            return
        colours = self.app.theme_variables
        counts = {status: 0 for status in CONFIG_LOOK}
        for device in fleet.devices:
            counts[device.config_status if device.config_status in counts else None] += 1
        parts = [f"{CONFIG_LOOK[s][0]} {n} {CONFIG_LOOK[s][1]}" for s, n in counts.items() if n]
        reading = reading_note(fleet.devices, "devices")
        self.query_one("#ow-counts", Static).update(
            f"{len(fleet.devices)} devices: "
            + " · ".join(parts)
            + (f"\n{reading}" if reading else "")
        )
        rows = []
        for device in self.shown_rows():
            org = fleet.organizations.get(device.organization)
            group = fleet.groups.get(device.group or "")
            rows.append(
                Row(
                    device.id,
                    (
                        truncate(device.name, 16),
                        truncate(org.name if org else "?", 12),
                        truncate(group.name if group else "—", 14),
                        config_text(device.config_status, colours),
                        device.backend_short or "—",
                        truncate(device.model or "—", 18),
                        truncate(device.os or "—", 16),
                        device.management_ip or "—",
                        device.last_ip or "—",
                        when(device.modified),
                    ),
                )
            )
        self.query_one(LiveTable).show(rows)
        self._show_filters(len(rows))

    def _show_filters(self, shown: int | None = None) -> None:
        fleet = self.fleet
        org = fleet.organizations.get(self.org or "") if fleet else None
        group = fleet.groups.get(self.group or "") if fleet else None
        words = [
            f"status: {CONFIG_LOOK[self.status][1] if self.status else 'all'} (s)",
            f"org: {org.name if org else 'all'} (o)",
            f"group: {group.name if group else 'all'} (g)",
        ]
        if self.text:
            words.append(f"text: {self.text!r}")
        if shown is not None:
            words.append(f"{shown} shown")
        self.query_one("#ow-filters", Static).update("Filters: " + " · ".join(words))

    # -- filters and opening --------------------------------------------------------------

    def action_cycle(self, which: str) -> None:
        fleet = self.fleet
        if which == "status":
            self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        elif fleet and which == "org":
            self.org = _next(
                self.org,
                sorted(fleet.organizations, key=lambda i: fleet.organizations[i].name.lower()),
            )
            self.group = None  # a group belongs to one organisation
        elif fleet and which == "group":
            ids = [
                g.id
                for g in sorted(fleet.groups.values(), key=lambda g: g.name.lower())
                if not self.org or g.organization == self.org
            ]
            self.group = _next(self.group, ids)
        self.refresh_rows()
        self._show_filters()

    def action_clear_filters(self) -> None:
        """escape clears the filters first; with nothing to clear it is the console's Back."""
        if not (self.status or self.org or self.group or self.text):
            self.noc.go_back()
            return
        self.status = self.org = self.group = None
        self.text = ""
        self.query_one("#ow-search", Input).value = ""
        self.query_one(LiveTable).focus()
        self.refresh_rows()
        self._show_filters()

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
