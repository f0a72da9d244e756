"""Leave when the terminal is gone, and leave for sure.

A dropped SSH session or a killed tmux hangs the terminal up. The session leader gets
SIGHUP, but when that is not us (`make demo`, a shell that ignores it), nobody tells the
console: reads then return end-of-file (the driver in ui/driver.py ends the console on
that) and every ioctl fails with EIO, so one cheap tcgetattr every few seconds tells too.

Leaving must not depend on the event loop: a terminal that nobody reads (a stalled SSH
link, a frozen emulator) blocks Textual's writer thread, then the loop itself on the
writer's full queue, and a handler added with loop.add_signal_handler never runs: SIGTERM
was ignored for ever. ExitGuard's handlers are plain signal.signal ones (they run in the
main thread even while it waits on a lock), and any request to leave arms a deadline kept
by its own thread: after DEADLINE_SECONDS the terminal is reset as far as it can be and
the process ends with os._exit. A second signal ends it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import termios
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from textual.app import App

log = logging.getLogger("noc_tui.ui")

CHECK_SECONDS = 2.0
EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
EXIT_HANGUP = 128 + signal.SIGHUP  # the terminal went away: as if SIGHUP had told us
DEADLINE_SECONDS = 1.2  # a graceful exit gets this long; then the process ends anyway
RESTORE_SECONDS = 0.2  # the reset is written to a terminal that may never read it
# If even the deadline's thread cannot run, the kernel's SIGALRM (default: terminate) ends it.
BACKSTOP_SECONDS = 1.7
# CAN aborts a half-written escape sequence; then what Textual's driver turns on, off again.
RESET = (
    "\x18\x1b[<u\x1b[?1049l\x1b[?25h\x1b[?1004l\x1b[?1000l\x1b[?1003l\x1b[?1015l"
    "\x1b[?1006l\x1b[?1016l\x1b[?2004l\x1b[?2048l\x1b[?7h"
)


def terminal_gone(fd: int) -> bool:
    try:
        termios.tcgetattr(fd)
    except termios.error:
        return True
    return False


def _tty_fds() -> list[int]:
    fds = []
    for stream in (sys.__stdin__, sys.__stderr__):  # Textual reads stdin, draws on stderr
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if stream is not None and stream.isatty():
                fds.append(stream.fileno())
    return fds


def exit_when_terminal_gone(app: App[Any]) -> None:
    """Call from on_mount; does nothing when neither end is a terminal (tests, pipes)."""
    fds = _tty_fds()
    if not fds:
        return

    def check() -> None:
        if any(terminal_gone(fd) for fd in fds):
            log.warning("the terminal hung up: leaving")
            leave(app, EXIT_HANGUP)

    app.set_interval(CHECK_SECONDS, check)


def leave(app: App[Any], code: int, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """From any thread: end the console with `code` (within the deadline if guarded)."""
    guard: ExitGuard | None = getattr(app, "exit_guard", None)
    if guard is not None:
        guard.request_exit(code)
    elif loop is not None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: it is ending anyway
            loop.call_soon_threadsafe(app.exit, None, code)
    else:
        app.exit(None, code)


class ExitGuard:
    """Process-wide: SIGTERM, SIGHUP and SIGINT end the console, gracefully or by deadline.

    Made and installed by the CLI before anything starts (only the main thread may set
    handlers), never in tests that run the app in-process: it may call os._exit.
    """

    def __init__(
        self,
        deadline: float = DEADLINE_SECONDS,
        backstop: float = BACKSTOP_SECONDS,
    ) -> None:
        self.deadline = deadline
        self.backstop = backstop
        self.code = 0
        self.app: App[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._armed = threading.Event()
        self._now = threading.Event()
        self._hooks: list[Callable[[], None]] = []
        self._saved_tty: tuple[int, list[Any]] | None = None

    @property
    def exiting(self) -> bool:
        return self._armed.is_set()

    def install(self) -> None:
        for fd in _tty_fds()[:1]:
            with contextlib.suppress(termios.error):
                self._saved_tty = (fd, termios.tcgetattr(fd))  # before Textual's raw mode
        # Started now, not from a signal handler (which may interrupt thread bookkeeping).
        threading.Thread(target=self._keep_deadline, name="noc-exit-deadline", daemon=True).start()
        for signum in EXIT_SIGNALS:
            signal.signal(signum, self._on_signal)

    def at_hard_exit(self, hook: Callable[[], None]) -> None:
        """Something to end before os._exit (the demo lab)."""
        self._hooks.append(hook)

    def watch(self, app: App[Any]) -> None:
        self.app = app
        # attr-defined: any App may be watched; NocApp declares exit_guard, others get it here
        # (read back with getattr in the signal handler).
        app.exit_guard = self  # type: ignore[attr-defined]

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """From the app's on_mount: where graceful exits are sent from now on."""
        self._loop = loop
        if self.exiting and self.app is not None:
            loop.call_soon(self.app.exit, None, self.code)  # a signal came during start-up

    def arm(self, code: int) -> None:
        """Start the deadline (once); any thread, or a signal handler."""
        if self._armed.is_set():
            return
        self.code = code
        with contextlib.suppress(OSError, ValueError):
            signal.setitimer(signal.ITIMER_REAL, self.backstop)
        self._armed.set()

    def request_exit(self, code: int) -> None:
        """Ask the app to leave and start the deadline; any thread, or a signal handler."""
        first = not self._armed.is_set()
        self.arm(code)
        if first and self._loop is not None and self.app is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: it is ending anyway
                self._loop.call_soon_threadsafe(self.app.exit, None, code)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._armed.is_set():
            self._now.set()  # a second word to leave: do not wait for the deadline
            return
        self.request_exit(128 + signum)

    def _keep_deadline(self) -> None:
        self._armed.wait()
        self._now.wait(self.deadline)
        self.hard_exit()

    def hard_exit(self) -> None:
        for hook in self._hooks:
            with contextlib.suppress(Exception):
                hook()
        # The reset may block on a terminal nobody reads: it gets a moment, not a veto.
        restorer = threading.Thread(target=self._restore_terminal, daemon=True)
        restorer.start()
        restorer.join(RESTORE_SECONDS)
        os._exit(self.code)

    def _restore_terminal(self) -> None:
        if self._saved_tty is not None:
            fd, attributes = self._saved_tty
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(fd, termios.TCSANOW, attributes)
        for fd in _tty_fds():
            if fd != 0:
                with contextlib.suppress(OSError):
                    os.write(fd, RESET.encode())
