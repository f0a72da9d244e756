"""The console's screens in key order: one table for the tabs, the bindings and the palette."""

from __future__ import annotations

from typing import NamedTuple


class ScreenInfo(NamedTuple):
    key: str
    tab: str  # short, for the tab line at 80 columns
    title: str


SCREENS: dict[str, ScreenInfo] = {
    "overview": ScreenInfo("1", "Overview", "Overview"),
    "cpes": ScreenInfo("2", "CPEs", "CPEs"),
    "alerts": ScreenInfo("3", "Alerts", "Alerts"),
    "devices": ScreenInfo("4", "Devices", "Devices"),
    "pbx": ScreenInfo("5", "PBX", "PBX"),
    "cdr": ScreenInfo("6", "CDR", "Call records"),
}
