"""One overview tile: a title, a big count, the state as symbol + word, a few lines, its age.

The tile only draws `TileData`; it repaints a part only when that part's text changed, so a
poll that brings the same numbers costs nothing on a slow SSH link.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Digits, Static

from noc_tui.ui.format import STALE_AFTER_POLLS, age_text
from noc_tui.ui.overview_data import LEVEL_SYMBOLS, LEVEL_VARIABLES, Drill, TileData

LEVELS = tuple(LEVEL_VARIABLES)
MAX_LINES = 3


class Tile(Vertical, can_focus=True):
    """Focusable; `enter` asks the screen to open what the tile counted."""

    # Unscoped: the narrow layout is keyed on the screen's `-compact` breakpoint class.
    SCOPED_CSS = False

    BINDINGS = [Binding("enter", "open", "Open", show=True)]
    DEFAULT_CSS = """
    Tile {
        height: auto;
        border: round $panel-lighten-2;
        padding: 0 1;
    }
    Tile:focus { border: heavy $accent; }
    Tile .tile-title { text-style: bold; }
    Tile Digits { width: auto; }
    Tile .tile-lines { color: $text-muted; max-height: 3; }
    Tile Static { text-wrap: nowrap; text-overflow: ellipsis; }
    Tile .tile-age { color: $text-muted; }
    Tile .tile-row { display: none; }
    Tile.-nocount Digits { display: none; }
    Tile.-down .tile-state { text-style: bold; }
    Tile.-stale Digits, Tile.-stale .tile-lines, Tile.-stale .tile-state { text-opacity: 60%; }
    /* Narrow (the screen's -compact breakpoint): one line per tile, a list. */
    .-compact Tile { border: none; height: 1; padding: 0 1; }
    .-compact Tile:focus { background: $accent 30%; }
    .-compact Tile .tile-row { display: block; }
    .-compact Tile.-stale .tile-row { text-opacity: 60%; }
    .-compact Tile .tile-title, .-compact Tile Digits, .-compact Tile .tile-state,
    .-compact Tile .tile-lines, .-compact Tile .tile-age { display: none; }
    """

    class Opened(Message):
        def __init__(self, tile: Tile, drill: Drill) -> None:
            super().__init__()
            self.tile = tile
            self.drill = drill

    def __init__(self, data: TileData, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = data
        self._shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("", classes="tile-row", markup=False)
        yield Static("", classes="tile-title", markup=False)
        yield Digits("", classes="tile-count")
        yield Static("", classes="tile-state", markup=False)
        yield Static("", classes="tile-lines", markup=False)
        yield Static("", classes="tile-age", markup=False)

    def on_mount(self) -> None:
        self.show(self.data, None, force=True)

    def show(self, data: TileData, now: float | None, force: bool = False) -> None:
        """Draw `data`; `now` gives the age line (None: no clock yet, say nothing of age)."""
        self.data = data
        stale, age = self._age(data, now)
        # A failing backend is degraded or down whatever its last data said; that data stays,
        # dimmed, under the words that say so.
        level = data.error_level if data.error else data.level
        for name in LEVELS:
            self.set_class(level == name, f"-{name}")
        self.set_class(stale, "-stale")
        colours = self.app.theme_variables
        style = colours.get(LEVEL_VARIABLES[level], "")
        state = f"{data.symbol} {data.word}"
        if data.error:
            state = f"{self._failing(data)} · last data" if data.count else self._failing(data)
        lines = "\n".join(data.lines[:MAX_LINES]) or " "
        count = data.count or "-"
        word = data.error_level if data.error else data.word
        symbol = LEVEL_SYMBOLS[level]
        row = f"{symbol} {data.title:<18} {data.count or '—':>5}  {word}  {age}"
        if data.error:  # "down" once, then why: the state words are already in `age`
            row = f"{symbol} {data.title:<18} {data.count or '—':>5}  {age}: {data.error}"
        self._set("row", Static, ".tile-row", Text(row, style=style), force)
        self._set("title", Static, ".tile-title", Text(data.title), force)
        self._set("state", Static, ".tile-state", Text(state, style=style), force)
        self._set("lines", Static, ".tile-lines", Text(lines), force)
        self._set("age", Static, ".tile-age", Text(age, style="italic" if stale else ""), force)
        digits = self.query_one(".tile-count", Digits)
        if force or self._shown.get("count") != count:
            self._shown["count"] = count
            digits.update(count)
        self.set_class(not data.count, "-nocount")

    def _set(self, part: str, kind: type[Static], selector: str, text: Text, force: bool) -> None:
        # Compare the plain text and the style: a theme change restyles, a poll rarely does.
        signature = f"{text.plain}|{text.style}"
        if force or self._shown.get(part) != signature:
            self._shown[part] = signature
            self.query_one(selector, kind).update(text)

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
