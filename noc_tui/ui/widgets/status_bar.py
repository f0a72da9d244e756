"""One line on every screen: each backend's state (symbol + word) and the age of its data."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.timer import Timer

from noc_tui.api import Backends
from noc_tui.api.health import BackendState
from noc_tui.clock import Clock
from noc_tui.ui.format import (
    STATE_SYMBOLS,
    STATE_WORDS,
    age_text,
    is_stale,
    state_text,
    truncate,
)
from noc_tui.ui.widgets.plain import Plain

REFRESH_SECONDS = 2.0
MANY_BACKENDS = 10  # from this many, answers are shown together, twice a second at most
COALESCE_SECONDS = 0.5
MAX_LINES = 2  # more backends than fit on two lines are summed up by state
SUMMARY_ORDER = (BackendState.DOWN, BackendState.DEGRADED, BackendState.UNKNOWN, BackendState.OK)


class BackendStatusBar(Plain):
    """Reads health from the client layer; repaints only when its text changes."""

    DEFAULT_CSS = """
    BackendStatusBar {
        height: auto;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, backends: Backends, clock: Clock, message: str = "") -> None:
        super().__init__("")
        self.backends = backends
        self.clock = clock
        self.note = message
        self._last: str | None = None
        self._many = sum(1 for _ in backends) >= MANY_BACKENDS
        self._soon: Timer | None = None

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(REFRESH_SECONDS, self.refresh_status)
        self.watch(self.app, "theme", lambda _: self.refresh_status(force=True), init=False)

    def on_resize(self) -> None:
        self.refresh_status(force=True)

    def show_note(self, note: str) -> None:
        """A short word for the operator at the end of the line (e.g. "refreshing")."""
        self.note = note
        self.refresh_status()

    def refresh_soon(self) -> None:
        """After a poll's answer: at once with a few backends; with many (35 answer every
        period), once for all the answers of the next half second."""
        if not self._many:
            self.refresh_status()
        elif self._soon is None:
            self._soon = self.set_timer(COALESCE_SECONDS, self._refresh_later)

    def _refresh_later(self) -> None:
        self._soon = None
        self.refresh_status()

    def refresh_status(self, force: bool = False) -> None:
        text = self.render_status()
        if force or text.plain != self._last or not self._last:
            self._last = text.plain
            self.update(text)

    def render_status(self) -> Text:
        """Backends as `name ✔ ok <10s` segments, wrapped; when they would take more than
        `MAX_LINES` lines (a NOC of many backends), one summary by state, trouble named."""
        width = max(20, (self.size.width or 80) - 2)
        full = _wrap(self._segments(self._each), width)
        if full.plain.count("\n") < MAX_LINES:
            return full
        return _wrap(self._segments(partial(self._summary, width)), width)

    def _segments(self, backends: Callable[[], list[Text]]) -> list[Text]:
        segments: list[Text] = []
        if self.backends.read_only:
            segments.append(Text("READ-ONLY", style="bold reverse"))
        segments += backends()
        if self.note:
            segments.append(Text(self.note, style="italic"))
        return segments

    def _summary(self, width: int) -> list[Text]:
        """`✓ 33 ok <10s  ✗ 2 down: kalliope-7, librenms-2  ◌ 1 stale: krill`: states worst
        first, each backend not ok named, in config order, until the line is full."""
        colours = self.app.theme_variables
        now = self.clock.now()
        by_state: dict[BackendState, list[str]] = {state: [] for state in SUMMARY_ORDER}
        stale: list[str] = []
        oldest: float | None = None
        for client in self.backends:
            health = client.health
            by_state[health.state].append(client.name)
            if is_stale(health, client.settings.poll_seconds, now):
                stale.append(client.name)
            age = health.age(now)
            if health.state is BackendState.OK and age is not None:
                oldest = age if oldest is None else max(oldest, age)
        groups: list[tuple[Text, list[str]]] = []
        for state in SUMMARY_ORDER:
            names = by_state[state]
            if names:
                head = Text(f"{STATE_SYMBOLS[state]} {len(names)} {STATE_WORDS[state]}")
                head.stylize(state_text(state, colours).style)
                if state is BackendState.OK and oldest is not None:
                    head.append(f" {age_text(oldest)}", style="dim")
                groups.append((head, [] if state is BackendState.OK else names))
        if stale:
            groups.append((Text(f"◌ {len(stale)} stale", style="italic"), stale))
        return _named(groups, width * MAX_LINES - 2 * len(groups), width)

    def _each(self) -> list[Text]:
        """Every backend: `name ✔ ok <10s`."""
        colours = self.app.theme_variables
        now = self.clock.now()
        segments: list[Text] = []
        for client in self.backends:
            health = client.health
            segment = Text(truncate(client.name, 16) + " ")
            segment.append_text(state_text(health.state, colours))
            if health.requests:  # "… waiting" says it all before the first answer
                segment.append(f" {age_text(health.age(now))}", style="dim")
            if is_stale(health, client.settings.poll_seconds, now):
                segment.append(" ◌ stale", style="italic")
            segments.append(segment)
        return segments


def _named(groups: list[tuple[Text, list[str]]], room: int, width: int) -> list[Text]:
    """Each group's head and as many of its names as `room` cells allow (and a line holds),
    then `+N more`."""
    shown = [len(names) for _, names in groups]

    def render() -> list[Text]:
        out = []
        for (head, names), count in zip(groups, shown, strict=True):
            text = head.copy()
            if count:
                text.append(": " + ", ".join(truncate(name, 16) for name in names[:count]))
            if count < len(names):
                text.append(f"{', ' if count else ': '}+{len(names) - count} more", style="dim")
            out.append(text)
        return out

    segments = render()

    def too_long() -> bool:
        return sum(len(t) for t in segments) > room or any(len(t) > width for t in segments)

    while too_long() and any(shown):
        longest = max(range(len(shown)), key=lambda i: shown[i])
        shown[longest] -= 1
        segments = render()
    return segments


def _wrap(segments: list[Text], width: int, separator: str = "  ") -> Text:
    lines: list[Text] = [Text()]
    for segment in segments:
        current = lines[-1]
        needed = len(segment) + (len(separator) if current.plain else 0)
        if current.plain and len(current) + needed > width:
            lines.append(Text())
            current = lines[-1]
        if current.plain:
            current.append(separator)
        current.append_text(segment)
    return Text("\n").join(lines)
