"""The base of the console's dialogs and pop-ups: each answers once, and only while on top."""

from __future__ import annotations

from typing import TypeVar, cast

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal screen whose `dismiss` closes it once, and only while it is the screen shown.

    Keys come in bursts: escape and an enter on a button, or `y` and a screen key, arrive
    together. The button press, the submitted box and the picked option are messages that
    reach the dialog after the key that already closed it, or after a screen key switched to
    another screen. Textual's `dismiss` pops whatever screen is on top, so a second answer
    popped the screen under the dialog, or raised ScreenStackError on a screen's base.
    """

    answered = False

    @property
    def can_answer(self) -> bool:
        """Not yet answered and on top: its widgets are there and its keys are meant for it."""
        return not self.answered and self.is_active

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if not self.can_answer:
            # no-untyped-call: Textual leaves AwaitComplete.nothing unannotated.
            return cast(AwaitComplete, AwaitComplete.nothing())  # type: ignore[no-untyped-call]
        self.answered = True
        return super().dismiss(result)
