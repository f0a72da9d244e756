"""The CPE action menu: the actions this CPE's host allows, picked by keyboard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from noc_tui.api.krill import ACTIONS
from noc_tui.ui.widgets.dialog import Dialog
from noc_tui.ui.widgets.plain import Plain


class ActionMenu(Dialog[str | None]):
    """Pick one of the actions this CPE offers; escape cancels."""

    CSS_PATH = "cpe_actions.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, cpe_name: str, actions: list[str]) -> None:
        super().__init__()
        self.cpe_name = cpe_name
        self.actions = actions

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Plain(f"Actions on {self.cpe_name}")
            yield OptionList(*(Option(ACTIONS[a][0], id=a) for a in self.actions))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
