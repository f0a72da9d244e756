"""A screen whose feature has not landed yet: it says so plainly and names what it will show."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from noc_tui.ui.screens.base import NocScreen


@dataclass(frozen=True)
class PendingFeature:
    title: str
    source: str
    will_show: tuple[str, ...]


PENDING: dict[str, PendingFeature] = {
    "cpes": PendingFeature(
        "CPEs",
        "Krill",
        (
            "search a customer's CPE by serial (HWTC… or hex), name, id, MAC or PPPoE user",
            "its customer, online state, uptime and OLT port",
            "optical levels (txrx) against thresholds, alarms",
            "live txrx and bandwidth graphs",
            "reboot / reprovision, with confirmation and an audit trail",
        ),
    ),
    "alerts": PendingFeature(
        "Alerts",
        "LibreNMS",
        (
            "open alerts, most severe and oldest first, filterable and sortable",
            "acknowledge with a note (single or bulk), unmute",
            "the alert's rule, device and details",
        ),
    ),
    "devices": PendingFeature(
        "Devices",
        "LibreNMS and OpenWISP",
        (
            "LibreNMS devices (up, down, disabled) and their ports with live bandwidth",
            "OpenWISP devices and whether their configuration is applied, pending or failed",
        ),
    ),
    "pbx": PendingFeature(
        "PBX",
        "KalliopePBX",
        (
            "extensions and their SIP registrations: from where, RTT, user agent",
            "voicemail counts, pending configuration (apply / revert)",
        ),
    ),
    "cdr": PendingFeature(
        "Call records",
        "KalliopePBX",
        (
            "call detail records of the last minutes or days, streamed as they load",
            "filters by number, direction and status; CSV export",
        ),
    ),
}


class PendingScreen(NocScreen):
    """Honest about being empty: no fake rows, just what is coming and from where."""

    DEFAULT_CSS = """
    PendingScreen #pending { padding: 1 2; }
    PendingScreen .pending-title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, feature_key: str, note: str = "") -> None:
        self.feature = PENDING[feature_key]
        self.TITLE = self.feature.title
        self.NAME = feature_key
        self.note = note
        super().__init__()

    def compose_body(self) -> ComposeResult:
        feature = self.feature
        lines = "\n".join(f"  • {item}" for item in feature.will_show)
        with VerticalScroll(id="pending"):
            yield Static(
                f"{feature.title} ({feature.source}) is not built yet.",
                classes="pending-title",
                markup=False,
            )
            yield Static(f"This screen will show:\n{lines}", markup=False)
            if self.note:
                yield Static(f"\n{self.note}", markup=False)
            yield Static("\nPress 1 for the overview, ? for the keys.", markup=False)
