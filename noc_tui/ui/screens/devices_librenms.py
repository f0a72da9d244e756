"""The LibreNMS part of the devices screen (its own issue builds it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from noc_tui.ui.screens.panes import DevicePane


class LibreNmsDevicesPane(DevicePane):
    SOURCE = "librenms"
    TAB_TITLE = "LibreNMS"

    def compose(self) -> ComposeResult:
        yield Static(
            "LibreNMS devices are not built yet. This tab will show every device (up, down,"
            " disabled) and its ports with live bandwidth.",
            markup=False,
        )
