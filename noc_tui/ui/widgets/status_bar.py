"""One line on every screen: each backend's state (symbol + word) and the age of its data."""

from __future__ import annotations

from rich.text import Text

from noc_tui.api import Backends
from noc_tui.clock import Clock
from noc_tui.ui.format import age_text, is_stale, state_text, truncate
from noc_tui.ui.widgets.plain import Plain

REFRESH_SECONDS = 2.0


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

    def refresh_status(self, force: bool = False) -> None:
        text = self.render_status()
        if force or text.plain != self._last or not self._last:
            self._last = text.plain
            self.update(text)

    def render_status(self) -> Text:
        """Backends as `name ✔ ok <10s` segments, wrapped onto as many lines as needed."""
        colours = self.app.theme_variables
        now = self.clock.now()
        width = max(20, (self.size.width or 80) - 2)
        segments: list[Text] = []
        if self.backends.read_only:
            segments.append(Text("READ-ONLY", style="bold reverse"))
        for client in self.backends:
            health = client.health
            segment = Text(truncate(client.name, 16) + " ")
            segment.append_text(state_text(health.state, colours))
            if health.requests:  # "… waiting" says it all before the first answer
                segment.append(f" {age_text(health.age(now))}", style="dim")
            if is_stale(health, client.settings.poll_seconds, now):
                segment.append(" ◌ stale", style="italic")
            segments.append(segment)
        if self.note:
            segments.append(Text(self.note, style="italic"))
        return _wrap(segments, width)


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
