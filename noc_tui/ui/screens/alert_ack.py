"""The ack dialog: the shared ConfirmAction plus a note (pre-filled) and "until clear"."""

from __future__ import annotations

import getpass
import time

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input

from noc_tui.ui.widgets.confirm import ConfirmAction
from noc_tui.ui.widgets.plain import Plain


def default_note(now: float) -> str:
    """Who and when, so colleagues see someone is on it; the operator adds the why."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is no reason to refuse an ack
        user = "operator"
    return f"{user} {time.strftime('%Y-%m-%d %H:%M', time.localtime(now))}: "


class AckDialog(ConfirmAction):
    """`enter` in the note confirms, `escape` cancels; read `note` and `until_clear` after."""

    CSS_PATH = "alert_ack.tcss"
    # No y/n shortcuts here: they are letters of the note.
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, detail: str, note: str) -> None:
        super().__init__("Acknowledge alert", detail, "Acknowledge")
        self.note = note
        self.until_clear = True

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Plain(f"⚠ {self.title_text}", classes="confirm-title")
            yield Plain(self.detail, classes="confirm-detail")
            # Typing adds to "user time: " instead of replacing who and when.
            yield Input(self.note, placeholder="note", id="ack-note", select_on_focus=False)
            yield Checkbox("until clear (stay acknowledged if it worsens)", True, id="ack-until")
            with Horizontal():
                yield Button("Cancel (esc)", id="cancel", variant="default")
                yield Button(f"{self.confirm_label} (enter)", id="confirm", variant="warning")

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # ConfirmAction would focus Cancel; the note comes first here
        if self.can_answer:
            self.query_one("#ack-note", Input).focus()

    def _collect(self) -> None:
        self.note = self.query_one("#ack-note", Input).value.strip()
        self.until_clear = self.query_one("#ack-until", Checkbox).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.prevent_default()  # not ConfirmAction's handler too: it would dismiss twice
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.dismiss(False)

    def action_confirm(self) -> None:
        if not self.can_answer:  # a second enter: the note box may be gone already
            return
        self._collect()
        self.dismiss(True)
