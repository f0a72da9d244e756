"""The one confirmation dialog for every change: says what, where, and defaults to Cancel."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input

from noc_tui.ui.widgets.dialog import Dialog
from noc_tui.ui.widgets.plain import Plain
from noc_tui.untrusted import cut, is_safe, one_line

TYPEABLE_CELLS = 64  # a longer name is not something to type in a hurry


def typeable(name: str) -> bool:
    """Can an operator type `name` exactly as the screen shows it? Not when it holds a
    control or bidi character (shown as a placeholder), edge spaces, or is very long."""
    return (
        bool(name)
        and is_safe(name)
        and name.isprintable()
        and name == name.strip()
        and cell_len(name) <= TYPEABLE_CELLS
    )


class ConfirmAction(Dialog[bool]):
    """Dismisses with True only on an explicit yes; escape, n and the default button cancel.

    Answers once (see Dialog): a button press queued behind the key that answered is dropped.
    """

    DEFAULT_CSS = """
    ConfirmAction { align: center middle; }
    ConfirmAction > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmAction .confirm-title { text-style: bold; }
    ConfirmAction .confirm-detail { margin: 1 0; }
    ConfirmAction Horizontal { height: auto; align-horizontal: right; }
    ConfirmAction Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("n", "cancel", "No", show=False),
        Binding("y", "confirm", "Yes", show=False),
    ]

    def __init__(self, title: str, detail: str, confirm_label: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Plain(f"⚠ {self.title_text}", classes="confirm-title")
            yield Plain(self.detail, classes="confirm-detail")
            with Horizontal():
                yield Button("Cancel (n)", id="cancel", variant="default")
                yield Button(f"{self.confirm_label} (y)", id="confirm", variant="warning")

    def on_mount(self, event: events.Mount) -> None:
        if self.can_answer:  # an escape typed with the key that opened it may have closed it
            self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.dismiss(True)


class TypedConfirm(ConfirmAction):
    """ConfirmAction that also wants the target's name typed: a slip of `y` is not enough."""

    def __init__(
        self,
        title: str,
        detail: str,
        name: str,
        confirm_label: str,
        noun: str = "CPE",
        *,
        ident: str = "",
    ) -> None:
        super().__init__(title, detail, confirm_label)
        self.noun = noun
        # A name from the backend may hold what no keyboard types (a control code shown as
        # ␛, a bidi override, 10,000 characters): then the operator types the id instead.
        self.by_id = bool(ident) and not typeable(name)
        self.expected = ident if self.by_id else name

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # ConfirmAction would focus Cancel; the name box wants it
        if not self.can_answer:
            return
        box = self.query_one(Vertical)
        shown = cut(one_line(self.expected), TYPEABLE_CELLS)
        if self.by_id:
            words = f"Its name cannot be typed as shown: type the {self.noun} id ({shown})"
        else:
            words = f"Type the {self.noun} name ({shown})"
        hint = Plain(f"{words} to confirm:")
        typed = Input(placeholder=shown, id="typed-name")
        box.mount(hint, before=box.children[-1])
        box.mount(typed, before=box.children[-1])
        typed.focus()

    @property
    def _word(self) -> str:
        return "id" if self.by_id else "name"

    def _matches(self) -> bool:
        return self.query_one("#typed-name", Input).value.strip() == self.expected

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.can_answer:  # answered already: the name box may be gone
            return
        if self._matches():
            self.dismiss(True)
        else:
            self.notify(f"The {self._word} does not match: nothing was sent", severity="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.prevent_default()
        if not self.can_answer:
            return
        if event.button.id == "confirm" and not self._matches():
            self.notify(f"Type the {self.noun} {self._word} first", severity="warning")
            return
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        if not self.can_answer:
            return
        if self._matches():
            self.dismiss(True)
        else:
            self.notify(f"Type the {self.noun} {self._word} first", severity="warning")
