"""One call in full: every field the PBX gave for it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from noc_tui.api.kalliope_cdr import Call
from noc_tui.ui.widgets.dialog import Dialog
from noc_tui.ui.widgets.plain import Plain


class CallDetail(Dialog[None]):
    CSS_PATH = "cdr_detail.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("enter", "dismiss", "Close")]

    def __init__(self, call: Call) -> None:
        super().__init__()
        self.call = call

    def compose(self) -> ComposeResult:
        call = self.call
        lines = [f"{name:>12}  {getattr(call, name)}" for name in call._fields]
        lines.insert(3, f"{'':>12}  {call.direction_word}, {call.status_word}")
        with Vertical():
            yield Plain("\n".join(lines), id="call-detail")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
