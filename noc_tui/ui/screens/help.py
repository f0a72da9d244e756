"""`?`: every key of the current screen and the global ones, in one table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable

from noc_tui.ui.widgets.dialog import Dialog
from noc_tui.ui.widgets.plain import Plain

KeyRow = tuple[str, str, str]


class HelpScreen(Dialog[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, screen_title: str, rows: list[KeyRow]) -> None:
        super().__init__()
        self.screen_title = screen_title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Plain(f"Keys — {self.screen_title}")
            table: DataTable[str] = DataTable(cursor_type="row", show_cursor=False)
            table.add_columns("Key", "Does", "Where")
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Plain("escape closes · ctrl+p opens the command palette", classes="help-hint")
