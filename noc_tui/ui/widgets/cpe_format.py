"""How a CPE's state, alarms and verdicts read on screen: a symbol and a word, theme colours."""

from __future__ import annotations

from rich.text import Text

from noc_tui.api.krill_models import MonitoringInfo, Reading, Verdict

VERDICTS: dict[Verdict, tuple[str, str]] = {  # symbol + word, theme variable
    Verdict.OK: ("✓ ok", "severity-ok"),
    Verdict.WARNING: ("▲ warning", "severity-warning"),
    Verdict.CRITICAL: ("✗ critical", "severity-critical"),
    Verdict.IMPLAUSIBLE: ("? implausible", "warning"),
    Verdict.UNCHECKED: ("· unchecked", ""),
    Verdict.NO_VALUE: ("— no value", ""),
}
ALARM_LEVELS = {
    "critical": ("✗", "severity-critical"),
    "major": ("✗", "severity-critical"),
    "warning": ("▲", "severity-warning"),
    "minor": ("▲", "severity-warning"),
}


def styled(words: str, variable: str, colours: dict[str, str], bold: bool = False) -> Text:
    style = colours.get(variable, "") if variable else ""
    return Text(words, style=(style + (" bold" if bold else "")).strip())


def verdict_text(verdict: Verdict, colours: dict[str, str]) -> Text:
    words, variable = VERDICTS[verdict]
    return styled(words, variable, colours, bold=verdict is Verdict.CRITICAL)


def state_word(info: MonitoringInfo) -> str:
    """Krill says up/down; the registration says why (LOS, dying-gasp, offline)."""
    if info.online:
        return "online"
    states = [s for s in info.registration.states if s != "online"]
    if states:
        return states[0]
    if any("LOS" in alarm.name for alarm in info.alarms):
        return "los"
    return "offline" if info.state == "down" else (info.state or "unknown")


def cpe_state_text(
    info: MonitoringInfo | None, colours: dict[str, str], missing: str = "no monitoring"
) -> Text:
    if info is None:
        return styled(f"? {missing}", "state-unknown", colours)
    word = state_word(info)
    if info.online:
        return styled(f"✓ {word}", "state-ok", colours)
    return styled(f"✗ {word}", "state-down", colours, bold=True)


def alarm_text(level: str, name: str, colours: dict[str, str]) -> Text:
    symbol, variable = ALARM_LEVELS.get(level.lower(), ("·", "severity-warning"))
    line = styled(f"{symbol} {level}", variable, colours, bold=variable == "severity-critical")
    line.append(f"  {name}")
    return line


def value_text(reading: Reading) -> str:
    if reading.value is None:
        return "—"
    return f"{reading.value:.2f}"


def uptime_text(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days}d {hours}h {minutes:02d}m" if days else f"{hours}h {minutes:02d}m"


def rate_text(kbps: float | None) -> str:
    if kbps is None:
        return "—"
    return f"{kbps / 1000:.1f} Mb/s" if kbps >= 1000 else f"{kbps:.0f} kb/s"
