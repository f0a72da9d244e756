"""The CPE action menu and the typed-name confirmation for the destructive actions."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from noc_tui.api.krill import ACTIONS
from noc_tui.ui.widgets.confirm import ConfirmAction


class ActionMenu(ModalScreen[str | None]):
    """Pick one of the actions this CPE offers; escape cancels."""

    DEFAULT_CSS = """
    ActionMenu { align: center middle; }
    ActionMenu > Vertical { width: 72; max-width: 100%; height: auto; border: thick $warning;
                            background: $surface; padding: 1 2; }
    ActionMenu OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, cpe_name: str, actions: list[str]) -> None:
        super().__init__()
        self.cpe_name = cpe_name
        self.actions = actions

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Actions on {self.cpe_name}", markup=False)
            yield OptionList(*(Option(ACTIONS[a][0], id=a) for a in self.actions))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TypedConfirm(ConfirmAction):
    """ConfirmAction that also wants the CPE's name typed: a slip of `y` is not enough."""

    def __init__(self, title: str, detail: str, expected: str, confirm_label: str) -> None:
        super().__init__(title, detail, confirm_label)
        self.expected = expected

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # ConfirmAction would focus Cancel; the name box wants it
        box = self.query_one(Vertical)
        hint = Static(f"Type the CPE name ({self.expected}) to confirm:", markup=False)
        typed = Input(placeholder=self.expected, id="typed-name")
        box.mount(hint, before=box.children[-1])
        box.mount(typed, before=box.children[-1])
        typed.focus()

    def _matches(self) -> bool:
        return self.query_one("#typed-name", Input).value.strip() == self.expected

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._matches():
            self.dismiss(True)
        else:
            self.notify("The name does not match: nothing was sent", severity="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.prevent_default()
        if event.button.id == "confirm" and not self._matches():
            self.notify("Type the CPE name first", severity="warning")
            return
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        if self._matches():
            self.dismiss(True)
        else:
            self.notify("Type the CPE name first", severity="warning")
