"""One LibreNMS device: its details and its ports; `enter` on a port opens its live graph.

Device and ports are one poll job, so the two never disagree; a device without ports (the
server's 404 "No ports found") says "no ports" in place, and a failed poll keeps the last
values on screen with the reason above them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Device, Port
from noc_tui.ui.format import label_grid
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_note
from noc_tui.ui.screens.base import NocScreen, open_over
from noc_tui.ui.widgets.librenms_format import (
    device_status_text,
    device_uptime_text,
    port_status_text,
    rate_text,
    server_when,
    speed_text,
)
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.plain import Plain

# 74 columns in all: the whole table fits an 80-column terminal.
PORT_COLUMNS = (
    Column("name", "Port", 11),
    Column("alias", "Alias", 14),
    Column("status", "Status", 12),
    Column("speed", "Speed", 5),
    Column("in", "In", 10),
    Column("out", "Out", 10),
)


@dataclass(frozen=True)
class DeviceView:
    device: Device
    ports: list[Port]


class LibreNmsDeviceScreen(NocScreen):
    TITLE = "LibreNMS device"
    NAME = "devices"
    BINDINGS = [Binding("escape", "back", "Back")]
    CSS_PATH = "librenms_device.tcss"

    def __init__(self, client: LibreNmsClient, device: Device) -> None:
        super().__init__()
        self.client = client
        self.device = device
        self.ports: list[Port] | None = None  # None: not read yet
        self.message = ""

    @property
    def job_key(self) -> str:
        return f"librenms:device:{self.device.id}"

    def compose_body(self) -> ComposeResult:
        with Vertical():
            yield Plain(self.device.name, id="lnms-device-head")
            yield Plain("", id="lnms-device-message")
            yield Plain("", id="lnms-device-detail")
            yield Plain("Ports   (enter: live bandwidth graph)", classes="section")
            yield Plain("… loading the ports", id="lnms-no-ports")
            yield LiveTable(id="lnms-ports")

    def on_mount(self) -> None:
        table = self.query_one("#lnms-ports", LiveTable)
        table.set_columns(PORT_COLUMNS)
        table.focus()
        self._show_device()

    def poll_jobs(self) -> list[PollJob[Any]]:
        every = min(self.client.settings.poll_seconds, 10.0)  # one device is cheap to watch
        return [PollJob(self.job_key, self.client.name, every, self._fetch, self.show_view)]

    async def _fetch(self) -> DeviceView:
        # Both at once; ports() turns the "No ports found" 404 into an empty list.
        device, ports = await asyncio.gather(
            self.client.device(self.device.id), self.client.ports(self.device.id)
        )
        return DeviceView(device, ports)

    def show_view(self, polled: Polled[DeviceView]) -> None:
        view = polled.outcome
        if isinstance(view, BackendError):
            shown = "the last values below" if self.ports is not None else "nothing yet"
            self._say(f"✗ {view.title}: showing {shown}")
            if self.ports is None:
                self.query_one("#lnms-no-ports", Static).update("✗ ports not read")
            return
        self._say("")
        self.device, self.ports = view.device, view.ports
        self._show_device()
        self._show_ports()

    # -- showing --------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message = text
        box = self.query_one("#lnms-device-message", Static)
        box.update(text)
        box.display = bool(text)

    def _show_device(self) -> None:
        d, colours = self.device, self.app.theme_variables
        polled = server_when(d.last_polled, self.client.server_zone, self.noc.clock.now())
        rows: list[tuple[str, str | Text]] = [
            ("Status", device_status_text(d, colours)),
            *([("Display name", d.display)] if d.name != d.hostname else []),
            ("Hostname", f"{d.hostname}   IP {d.ip or '—'}"),
            ("sysName", d.sys_name or "—"),
            ("OS", f"{d.os or '—'} {d.version}".rstrip()),
            ("Hardware", d.hardware or "—"),
            ("Location", d.location or "—"),
            ("Uptime", device_uptime_text(d)),
            ("Last polled", polled),
        ]
        self.query_one("#lnms-device-detail", Static).update(label_grid(rows))
        head = Text(f"{d.name}  ")
        head.append_text(device_status_text(d, colours))
        self.query_one("#lnms-device-head", Static).update(head)

    def _show_ports(self) -> None:
        colours = self.app.theme_variables
        ports = self.ports or []
        rows = [
            Row(
                str(p.id or p.name),
                (
                    p.name,
                    p.alias or "—",
                    port_status_text(p, colours),
                    speed_text(p.speed_bps),
                    rate_text(p.in_bps),
                    rate_text(p.out_bps),
                ),
            )
            for p in ports
        ]
        self.query_one("#lnms-ports", LiveTable).show(rows)
        note = self.query_one("#lnms-no-ports", Static)
        reading = reading_note(ports, "ports")
        note.update(reading if rows else "no ports: LibreNMS knows no interfaces on this device")
        note.display = not rows or bool(reading)
        self.query_one("#lnms-ports", LiveTable).display = bool(rows)

    # -- keys -----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#lnms-ports")
    def _open_port(self, event: DataTable.RowSelected) -> None:
        from noc_tui.ui.screens.librenms_port import PortGraphScreen

        key = str(event.row_key.value)
        port = next((p for p in self.ports or [] if str(p.id or p.name) == key), None)
        if port is not None:
            open_over(self, PortGraphScreen(self.client, self.device, port))
