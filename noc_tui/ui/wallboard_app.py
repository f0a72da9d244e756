"""The console as a wall display: one screen (the wallboard), a handful of keys, never a modal."""

from __future__ import annotations

import logging
from typing import Any

from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from noc_tui.ui.app import NocApp
from noc_tui.ui.screens.wallboard import WallboardScreen

log = logging.getLogger("noc_tui.ui")


class WallboardApp(NocApp, inherit_bindings=False):
    """NocApp without its screen keys, palette or dialogs: a wall has no operator at it."""

    # Only these; the wallboard screen adds space, ←, → and q.
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit.ctrl_c")]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["start_screen"] = "wallboard"
        super().__init__(*args, **kwargs)
        self._modes = {"wallboard": WallboardScreen}

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        # Nothing on a wall may wait for an answer: a dialog would freeze the rotation.
        if isinstance(screen, ModalScreen) or (
            isinstance(screen, Screen) and not isinstance(screen, WallboardScreen)
        ):
            log.info("wallboard: refused to open %s", type(screen).__name__)
            return None
        return super().push_screen(screen, *args, **kwargs)

    def action_show(self, name: str) -> None:
        """The numbered screens do not exist on a wall."""

    def action_go_back(self) -> None:
        """Nowhere to go back to."""
