"""Devices (key 4): LibreNMS devices and OpenWISP devices, one tab each (`[` `]` switch)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import TabbedContent, TabPane

from noc_tui.ui.poll import PollJob
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.screens.devices_librenms import LibreNmsDevicesPane
from noc_tui.ui.screens.devices_openwisp import OpenWispDevicesPane
from noc_tui.ui.screens.panes import DevicePane
from noc_tui.ui.widgets.live_table import LiveTable


class DevicesScreen(NocScreen):
    TITLE = "Devices"
    NAME = "devices"
    BINDINGS = [
        Binding("left_square_bracket", "tab(-1)", "Prev source", show=False),
        Binding("right_square_bracket", "tab(1)", "Next source", show=False),
    ]
    CSS_PATH = "devices.tcss"

    def __init__(self, source: str = "librenms") -> None:
        super().__init__()
        self.source = source
        self.panes: list[DevicePane] = [LibreNmsDevicesPane(), OpenWispDevicesPane()]

    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial=f"source-{self.source}"):
            for pane in self.panes:
                with TabPane(pane.TAB_TITLE, id=f"source-{pane.SOURCE}"):
                    yield pane

    def poll_jobs(self) -> list[PollJob[Any]]:
        return [job for pane in self.panes for job in pane.poll_jobs()]

    def refresh_data(self) -> bool:
        for pane in self.panes:
            pane.reload()
        return super().refresh_data()

    def on_mount(self) -> None:  # NocScreen.on_mount runs too: Textual calls it along the MRO
        self.call_after_refresh(self._focus_table)

    @on(TabbedContent.TabActivated)
    def _focus_table(self) -> None:
        """The tab's table takes the keys at once: no extra tab press before `/`, `s` or enter."""
        tabs = self.query_one(TabbedContent)
        active = tabs.get_pane(tabs.active) if tabs.active else None
        tables = active.query(LiveTable) if active is not None else None
        if tables:
            tables.first().focus()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        ids = [f"source-{pane.SOURCE}" for pane in self.panes]
        current = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(current + step) % len(ids)]
