"""Leave when the terminal is gone.

A dropped SSH session or a killed tmux hangs the terminal up. The session leader gets
SIGHUP, but when that is not us (`make demo`, a shell that ignores it), nobody tells the
console: Textual's input thread then reads end-of-file forever and spins a core. A hung-up
terminal answers every ioctl with EIO, so one cheap tcgetattr every few seconds tells.
"""

from __future__ import annotations

import sys
import termios

from textual.app import App

CHECK_SECONDS = 2.0


def terminal_gone(fd: int) -> bool:
    try:
        termios.tcgetattr(fd)
    except termios.error:
        return True
    return False


def exit_when_terminal_gone(app: App[object]) -> None:
    """Call from on_mount; does nothing when stdin is not a terminal (tests, pipes)."""
    stdin = sys.__stdin__
    if stdin is None or not stdin.isatty():
        return
    fd = stdin.fileno()

    def check() -> None:
        if terminal_gone(fd):
            app.exit()

    app.set_interval(CHECK_SECONDS, check)
