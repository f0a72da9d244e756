"""One overview tile: a title, a big count, the state as symbol + word, a few lines, its age.

One widget that draws itself, not a stack of six: the overview opens with a dozen tiles and each
child widget costs style and layout work before the first frame. The tile repaints only when
the text it would draw changed, so a poll that brings the same numbers costs nothing on a slow
SSH link.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.renderables.digits import Digits
from textual.widget import Widget

from noc_tui.ui.format import STALE_AFTER_POLLS, age_text
from noc_tui.ui.overview_data import LEVEL_SYMBOLS, LEVEL_VARIABLES, Drill, TileData
from noc_tui.untrusted import one_line

LEVELS = tuple(LEVEL_VARIABLES)
MAX_LINES = 3
TEXT = "$foreground"  # the tile's own colour is the muted one (CSS), so say where it is not


def big_digits(text: str) -> list[str]:
    """The count in Textual's 3x3 digit font, as three plain lines."""
    segments = Digits(text).render(RichStyle())
    joined = "".join(segment.text for segment in segments if isinstance(segment, Segment))
    return joined.split("\n")[:3]


class Tile(Widget, can_focus=True):
    """Focusable; `enter` asks the screen to open what the tile counted."""

    # Unscoped: the narrow layout is keyed on the screen's `-compact` breakpoint class.
    SCOPED_CSS = False

    BINDINGS = [Binding("enter", "open", "Open", show=True)]
    DEFAULT_CSS = """
    Tile {
        height: auto;
        border: round $panel-lighten-2;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    Tile:focus { border: heavy $accent; }
    /* Narrow (the screen's -compact breakpoint): one line per tile, a list. */
    .-compact Tile { border: none; height: 1; padding: 0 1; }
    .-compact Tile:focus { background: $accent 30%; }
    """

    class Opened(Message):
        def __init__(self, tile: Tile, drill: Drill) -> None:
            super().__init__()
            self.tile = tile
            self.drill = drill

    def __init__(self, data: TileData, *, id: str | None = None, wide_lines: int = 3) -> None:
        super().__init__(id=id)
        self.data = data
        self.wide_lines = wide_lines  # lines under the state on a -wide screen
        self._now: float | None = None
        self._drawn: tuple[object, ...] = ()

    def on_mount(self) -> None:
        self.show(self.data, None, force=True)

    @property
    def compact(self) -> bool:
        return self.screen.has_class("-compact")

    def show(self, data: TileData, now: float | None, force: bool = False) -> None:
        """Draw `data`; `now` gives the age line (None: no clock yet, say nothing of age)."""
        self.data = data
        self._now = now
        level = self.level
        for name in LEVELS:
            self.set_class(level == name, f"-{name}")
        stale, _ = self._age(data, now)
        self.set_class(stale, "-stale")
        self.set_class(not data.count, "-nocount")
        # Only what is drawn decides a repaint: a tick that leaves "updated <10s ago" as it was
        # costs nothing. The theme's colours are part of it, so a theme change repaints.
        drawn = (self.text_lines(), self.app.theme_variables.get(LEVEL_VARIABLES[level]))
        if force or drawn != self._drawn:
            self._drawn = drawn
            self.refresh(layout=True)

    @property
    def level(self) -> str:
        # A failing backend is degraded or down whatever its last data said; that data stays,
        # dimmed, under the words that say so.
        return self.data.error_level if self.data.error else self.data.level

    def text_lines(self) -> tuple[str, ...]:
        """What the tile shows, as plain lines (the compact row first): for tests and repaints."""
        return (self._row(), *(plain for plain, _ in self._parts()))

    def render(self) -> Content:
        # A tile's lines hold host names and server errors: drawn plain and clean, one line each.
        if self.compact:
            return Content.styled(one_line(self._row()), self._level_style() or TEXT)
        parts = self._parts()
        return Content("\n").join(Content.styled(one_line(text), style) for text, style in parts)

    def _parts(self) -> list[tuple[str, str]]:
        data = self.data
        stale, age = self._age(data, self._now)
        dim = " dim" if stale else ""
        parts = [(data.title, f"{TEXT} bold")]
        if data.count:
            parts += [(line, f"{TEXT}{dim}") for line in big_digits(data.count)]
        state = f"{data.symbol} {data.word}"
        if data.error:
            state = f"{self._failing(data)} · last data" if data.count else self._failing(data)
        bold = " bold" if self.level == "down" else ""
        parts.append((state, f"{self._level_style() or TEXT}{bold}{dim}"))
        limit = self.wide_lines if self.screen.has_class("-wide") else MAX_LINES
        parts += [(line, dim.strip()) for line in data.lines[:limit]] or [(" ", "")]
        parts.append((age, "italic" if stale else ""))
        return parts

    def _row(self) -> str:
        data = self.data
        _, age = self._age(data, self._now)
        symbol = LEVEL_SYMBOLS[self.level]
        head = f"{symbol} {data.title:<18} {data.count or '—':>5}"
        if data.error:  # "down" once, then why: the state words are already in `age`
            return f"{head}  {age}: {data.error}"
        return f"{head}  {data.word}  {age}"

    def _level_style(self) -> str:
        return self.app.theme_variables.get(LEVEL_VARIABLES[self.level], "")

    def _age(self, data: TileData, now: float | None) -> tuple[bool, str]:
        if data.error:
            last = (
                f" · last data {age_text(now - data.updated)} ago" if data.updated and now else ""
            )
            return bool(data.updated), f"{self._failing(data)}{last}"
        if data.updated is None or now is None:
            return False, "… waiting" if data.updated is None else ""
        age = now - data.updated
        stale = age > STALE_AFTER_POLLS * data.interval
        words = f"updated {age_text(age)} ago"
        return stale, f"{words} ◌ stale" if stale else words

    @staticmethod
    def _failing(data: TileData) -> str:
        return f"{LEVEL_SYMBOLS[data.error_level]} {data.error_level}"

    def action_open(self) -> None:
        if self.data.drill is not None:
            self.post_message(self.Opened(self, self.data.drill))
        else:
            self.notify("This tile has no screen to open", timeout=2)
