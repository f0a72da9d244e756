"""How OpenWISP config and command statuses read: a symbol and a word, coloured by theme."""

from __future__ import annotations

from rich.text import Text

# status -> (symbol, word, theme variable)
CONFIG_LOOK: dict[str | None, tuple[str, str, str]] = {
    "applied": ("✓", "applied", "state-ok"),
    "modified": ("◐", "modified", "state-degraded"),
    "error": ("✗", "error", "state-down"),
    "deactivating": ("↓", "deactivating", "state-degraded"),
    "deactivated": ("○", "deactivated", "state-unknown"),
    None: ("—", "no config", "state-unknown"),
}
COMMAND_LOOK: dict[str, tuple[str, str, str]] = {
    "in-progress": ("…", "in progress", "state-degraded"),
    "success": ("✓", "success", "state-ok"),
    "failed": ("✗", "failed", "state-down"),
}


def config_text(status: str | None, colours: dict[str, str]) -> Text:
    symbol, word, variable = CONFIG_LOOK.get(status, ("?", status or "unknown", "state-unknown"))
    return Text(f"{symbol} {word}", style=colours.get(variable, ""))


def command_text(status: str, colours: dict[str, str]) -> Text:
    symbol, word, variable = COMMAND_LOOK.get(status, ("?", status or "unknown", "state-unknown"))
    return Text(f"{symbol} {word}", style=colours.get(variable, ""))


def when(stamp: str) -> str:
    """'2026-11-22T18:53:41.755510Z' -> '2026-11-22 18:53' (UTC, as the controller keeps it)."""
    return stamp[:16].replace("T", " ") if len(stamp) >= 16 else stamp
