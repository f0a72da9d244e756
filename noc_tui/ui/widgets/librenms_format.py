"""How LibreNMS devices and ports read on screen: symbol and word for every state, SI rates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from rich.text import Text

from noc_tui.api.librenms_models import Device, Port, server_time
from noc_tui.ui.format import age_text

# ifOperStatus words as LibreNMS sends them → (symbol, word shown, theme variable).
OPER_LOOK: dict[str, tuple[str, str, str]] = {
    "up": ("✓", "up", "state-ok"),
    "down": ("✗", "down", "state-down"),
    "lowerLayerDown": ("✗", "lower down", "state-down"),  # short: the table is 80 wide
    "dormant": ("▲", "dormant", "state-degraded"),
    "testing": ("▲", "testing", "state-degraded"),
    "notPresent": ("–", "absent", "state-unknown"),
    "unknown": ("?", "unknown", "state-unknown"),
}

# Alert severities → (symbol, theme variable); LibreNMS may add one: it reads `? <word>`.
SEVERITY_LOOK: dict[str, tuple[str, str]] = {
    "critical": ("✗", "state-down"),
    "warning": ("▲", "state-degraded"),
    "ok": ("✓", "state-ok"),
}
SEVERITY_VARIABLES = (*(variable for _, variable in SEVERITY_LOOK.values()), "state-unknown")


def severity_badge(severity: str, colours: Mapping[str, str]) -> Text:
    symbol, variable = SEVERITY_LOOK.get(severity, ("?", "state-unknown"))
    return Text(f"{symbol} {severity or 'unknown'}", style=colours.get(variable, ""))


def server_age(text: str, zone: tzinfo, now: float) -> str:
    """A LibreNMS timestamp as an age ("3m ago"): the server's wall clock need not be ours.

    Unreadable text is shown as sent, so nothing the server said is hidden.
    """
    if not text:
        return "never"
    when = server_time(text, zone)
    return text if when is None else f"{age_text(max(0.0, now - when))} ago"


def server_when(text: str, zone: tzinfo, now: float) -> str:
    """A LibreNMS timestamp as the server's wall clock with its zone, and its age:
    "2026-12-04 12:03:10 CET (3m ago)". The 26.5 era's ISO ("…T11:03:10.000000Z") reads the
    same as the classic "Y-m-d H:i:s"; unreadable text is shown as sent."""
    if not text:
        return "never"
    when = server_time(text, zone)
    if when is None:
        return text
    wall = datetime.fromtimestamp(when, zone)
    return f"{wall:%Y-%m-%d %H:%M:%S} {wall.tzname() or ''}".rstrip() + (
        f" ({age_text(max(0.0, now - when))} ago)"
    )


def uptime_text(seconds: int) -> str:
    days, rest = divmod(max(0, seconds), 86400)
    return f"{days}d {rest // 3600}h" if days else f"{rest // 3600}h {rest % 3600 // 60}m"


def device_uptime_text(device: Device) -> str:
    """A down device has no uptime, and neither has a ping-only one (LibreNMS sends null, read
    as 0): both read `—`, never `0h 0m`, in the table, the view and the alert detail alike."""
    if not device.up or device.uptime_seconds <= 0:
        return "—"
    return uptime_text(device.uptime_seconds)


def device_status_text(device: Device, colours: dict[str, str], in_table: bool = False) -> Text:
    """`✓ up`, `✗ down (icmp)`, `– disabled`; the device view also says when LibreNMS gave
    no reason, and puts weight on a down (a table of devices would shout)."""
    if device.disabled:
        return Text("– disabled", style=colours.get("state-unknown", ""))
    if device.up:
        return Text("✓ up", style=colours.get("state-ok", ""))
    if device.down_reason:
        reason = f" ({device.down_reason})"
    else:
        reason = "" if in_table else " (no reason given)"
    weight = "" if in_table else " bold"
    return Text(f"✗ down{reason}", style=colours.get("state-down", "") + weight)


def port_status_text(port: Port, colours: dict[str, str]) -> Text:
    # Shut down on purpose is not a fault: say so before the oper status.
    if port.admin_status == "down":
        return Text("– admin down", style=colours.get("state-unknown", ""))
    symbol, word, variable = OPER_LOOK.get(
        port.oper_status, ("?", port.oper_status or "unknown", "state-unknown")
    )
    return Text(f"{symbol} {word}", style=colours.get(variable, ""))


def si(value: float, unit: str) -> str:
    """1234567 → "1.23 M<unit>": three significant digits, the way operators read rates."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            scaled = value / factor
            return f"{scaled:.3g} {prefix}{unit}"
    return f"{value:.0f} {unit}"


def rate_text(bits_per_second: float) -> str:
    return si(bits_per_second, "b/s")


def speed_text(bits_per_second: int) -> str:
    """Interface speed as on a port label: 10G, 1G, 100M; unknown when LibreNMS has 0/null."""
    if bits_per_second <= 0:
        return "—"
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if bits_per_second >= factor:
            return f"{bits_per_second / factor:g}{prefix}"
    return f"{bits_per_second}"


def bps_scale(values: list[float]) -> tuple[float, str]:
    """Divide by, and unit, so a graph's axis reads in round numbers."""
    top = max(values, default=0.0)
    for factor, unit in ((1e9, "Gb/s"), (1e6, "Mb/s"), (1e3, "kb/s")):
        if top >= factor:
            return factor, unit
    return 1.0, "b/s"
