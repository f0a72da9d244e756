"""The OpenWISP part of the devices screen (its own issue builds it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from noc_tui.ui.screens.panes import DevicePane


class OpenWispDevicesPane(DevicePane):
    SOURCE = "openwisp"
    TAB_TITLE = "OpenWISP"

    def compose(self) -> ComposeResult:
        yield Static(
            "OpenWISP devices are not built yet. This tab will show each device and whether its"
            " configuration is applied, modified or in error, per organisation and group.",
            markup=False,
        )
