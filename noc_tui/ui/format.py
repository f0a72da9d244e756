"""How states, ages and latencies read on screen: always a symbol and a word, never colour alone."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from noc_tui.api.health import BackendHealth, BackendState
from noc_tui.untrusted import block, one_line, safe_text

STALE_AFTER_POLLS = 3
LABEL_CELLS = 32  # a label column wider than this leaves the values no room at 80 columns

STATE_SYMBOLS: dict[BackendState, str] = {
    BackendState.OK: "✓",
    BackendState.DEGRADED: "▲",
    BackendState.DOWN: "✗",
    BackendState.UNKNOWN: "…",
}
STATE_WORDS: dict[BackendState, str] = {
    BackendState.OK: "ok",
    BackendState.DEGRADED: "degraded",
    BackendState.DOWN: "down",
    BackendState.UNKNOWN: "waiting",
}
# Theme variable per state; the theme decides the colour, the code decides the emphasis.
STATE_VARIABLES: dict[BackendState, str] = {
    BackendState.OK: "state-ok",
    BackendState.DEGRADED: "state-degraded",
    BackendState.DOWN: "state-down",
    BackendState.UNKNOWN: "state-unknown",
}


def age_text(seconds: float | None) -> str:
    """Coarse on purpose: an age that changes every second repaints every second."""
    if seconds is None:
        return "never"
    if seconds < 10:
        return "<10s"
    if seconds < 60:
        return f"{int(seconds // 10) * 10}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def latency_text(ms: float | None) -> str:
    if ms is None:
        return "—"
    if ms >= 1000:
        return f"{ms / 1000:.1f} s"
    return f"{ms:.0f} ms"


def is_stale(health: BackendHealth, poll_seconds: float, now: float) -> bool:
    age = health.age(now)
    return age is not None and age > STALE_AFTER_POLLS * poll_seconds


def state_text(state: BackendState, colours: dict[str, str], stale: bool = False) -> Text:
    """`✔ ok`, `▲ degraded`, `✖ down` styled from the theme; stale data says so too."""
    style = colours.get(STATE_VARIABLES[state], "")
    if state is BackendState.DOWN:
        style += " bold"
    text = Text(f"{STATE_SYMBOLS[state]} {STATE_WORDS[state]}", style=style.strip())
    if stale:
        text.append(" ◌ stale", style=colours.get("stale", "") + " italic")
    return text


def truncate(text: str, width: int) -> str:
    """Backend words on one line, at most `width` cells: cleaned, cut with `…`."""
    return one_line(text, width)


def label_grid(rows: Iterable[tuple[str, str | Text]]) -> Table:
    """Label / value lines whose values wrap under themselves, not under the labels (80 cols).

    Labels and values may be backend words (a callgroup's name labels its line): both are
    drawn as plain text, since a Rich table reads strings as markup."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        shown = safe_text(value, lines=True) if isinstance(value, Text) else block(value)
        grid.add_row(Text(one_line(label, LABEL_CELLS)), shown)
    return grid
