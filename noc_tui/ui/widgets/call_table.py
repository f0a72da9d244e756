"""A virtual table of call records: only the lines on screen are ever rendered.

A DataTable keeps a dict, a key and a row object per row and measures new rows as they come:
at 100,000 calls that is hundreds of MB and seconds per batch. Here the rows are the calls
themselves (compact tuples), a batch is one list extend, and a repaint draws the visible lines.
Columns that do not fit the width are left out, least useful first; `enter` shows them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from noc_tui.api.kalliope_cdr import DIRECTIONS, Call
from noc_tui.untrusted import one_line

STATUS_CLASS = {8: "ok", 4: "warn", 2: "warn", 1: "bad", 3: "bad"}


@dataclass(frozen=True)
class CallColumn:
    label: str
    width: int
    priority: int  # lower stays longer when the screen is narrow
    cell: Callable[[Call], str]


def _direction(call: Call) -> str:
    symbol, word = DIRECTIONS.get(call.direction, ("?", "unknown"))
    return f"{symbol} {word}"


COLUMNS = (
    CallColumn("Start", 19, 0, lambda c: c.start),
    CallColumn("Dir", 10, 1, _direction),
    CallColumn("Caller", 14, 0, lambda c: c.caller_num),
    CallColumn("Called", 14, 0, lambda c: c.called_num),
    CallColumn("Callgroup", 16, 4, lambda c: c.callgroup),
    CallColumn("Gateway", 16, 6, lambda c: c.gateway),
    CallColumn("Status", 10, 0, lambda c: c.status_word),
    CallColumn("Billsec", 7, 2, lambda c: str(c.billsec)),
    CallColumn("Dur", 5, 5, lambda c: str(c.duration)),
    CallColumn("Unique id", 20, 7, lambda c: c.unique_id),
)
STATUS_COLUMN = 6
GAP = 1
GUTTER = 2  # "▶ " on the cursor row: the cursor is readable without colour


def fit_columns(width: int) -> list[int]:
    """Indexes of the columns shown at `width`, in table order."""
    chosen: set[int] = set()
    used = GUTTER
    for index in sorted(range(len(COLUMNS)), key=lambda i: (COLUMNS[i].priority, i)):
        need = COLUMNS[index].width + (GAP if chosen else 0)
        if used + need <= width:
            chosen.add(index)
            used += need
    return sorted(chosen)


class CallTable(ScrollView, can_focus=True):
    """Call `extend` as batches arrive (rows added below) or `prepend` (follow mode, cursor
    kept on its call); `replace` starts a new query."""

    DEFAULT_CSS = """
    CallTable { height: 1fr; overflow-x: hidden; }
    CallTable > .call-table--header { text-style: bold; color: $text-muted; }
    CallTable > .call-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    CallTable > .call-table--ok { color: $state-ok; }
    CallTable > .call-table--warn { color: $state-degraded; }
    CallTable > .call-table--bad { color: $state-down; }
    """
    COMPONENT_CLASSES = {
        "call-table--header",
        "call-table--cursor",
        "call-table--ok",
        "call-table--warn",
        "call-table--bad",
    }
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Details", show=False),
    ]

    class Selected(Message):
        def __init__(self, call: Call) -> None:
            super().__init__()
            self.call = call

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.calls: list[Call] = []
        self.cursor = 0
        self.empty_text = ""

    # -- data --------------------------------------------------------------------------------

    def replace(self, calls: Sequence[Call]) -> None:
        self.calls = list(calls)
        self.cursor = 0
        self._resize()
        if self.scroll_offset.y:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def extend(self, batch: Sequence[Call]) -> None:
        """Rows added below: nothing on screen moves."""
        if not batch:
            return
        self.calls.extend(batch)
        self._resize()
        self.refresh()

    def prepend(self, batch: Sequence[Call]) -> None:
        """Rows added on top: the cursor stays on its call; a scrolled view keeps its calls
        in place, a view at the top shows the new ones."""
        if not batch:
            return
        had = bool(self.calls)
        self.calls[:0] = batch
        self._resize()
        if had:
            self.cursor += len(batch)
            if self.scroll_offset.y > 0:
                self.scroll_to(y=self.scroll_offset.y + len(batch), animate=False, immediate=True)
            else:
                self._keep_cursor_visible()
        self.refresh()

    @property
    def cursor_call(self) -> Call | None:
        return self.calls[self.cursor] if 0 <= self.cursor < len(self.calls) else None

    def _resize(self) -> None:
        # Width 0: columns are fitted to the width, so there is never anything to scroll to.
        self.virtual_size = Size(0, len(self.calls) + 1)  # +1: the header

    # -- keys --------------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_move(self, step: int) -> None:
        self._put_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._put_cursor(self.cursor + direction * self._page)

    def action_jump(self, where: int) -> None:
        self._put_cursor(len(self.calls) - 1 if where < 0 else 0)

    def action_select(self) -> None:
        call = self.cursor_call
        if call is not None:
            self.post_message(self.Selected(call))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self._put_cursor(self.scroll_offset.y + event.y - 1)

    def _put_cursor(self, row: int) -> None:
        if not self.calls:
            return
        self.cursor = max(0, min(len(self.calls) - 1, row))
        self._keep_cursor_visible()
        self.refresh()

    def _keep_cursor_visible(self) -> None:
        rows = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    # -- drawing -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        shown = fit_columns(width)
        if y == 0:
            return self._header(shown, width)
        row = self.scroll_offset.y + y - 1
        if row >= len(self.calls):
            if row == 0 and self.empty_text:
                return Strip([Segment(set_cell_size(self.empty_text, width), self.rich_style)])
            return Strip.blank(width, self.rich_style)
        return self._row(self.calls[row], row == self.cursor, shown, width)

    def _header(self, shown: list[int], width: int) -> Strip:
        style = self.get_component_rich_style("call-table--header")
        text = " " * GUTTER + " ".join(
            set_cell_size(COLUMNS[i].label, COLUMNS[i].width) for i in shown
        )
        return Strip([Segment(set_cell_size(text, width), style)])

    def _row(self, call: Call, cursor: bool, shown: list[int], width: int) -> Strip:
        base = self.rich_style
        if cursor:
            base = base + self.get_component_rich_style("call-table--cursor")
        segments = [Segment("▶ " if cursor else "  ", base)]
        used = GUTTER
        for place, index in enumerate(shown):
            column = COLUMNS[index]
            # Numbers, callgroups and gateways come from the PBX, caller ids from strangers.
            text = set_cell_size(one_line(column.cell(call), column.width), column.width)
            if place:
                text = " " + text
            segments.append(Segment(text, self._cell_style(call, index, base, cursor)))
            used += column.width + (GAP if place else 0)
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return Strip(segments, width)

    def _cell_style(self, call: Call, index: int, base: Style, cursor: bool) -> Style:
        if index != STATUS_COLUMN or cursor:
            return base
        name = STATUS_CLASS.get(call.status)
        return base + self.get_component_rich_style(f"call-table--{name}") if name else base
