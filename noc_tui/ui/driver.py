"""Textual's Linux driver, made to notice a terminal that is gone.

Two failures of the stock driver on a dead terminal:
- its input thread meets end-of-file (a hung-up tty, stdin a closed pipe) and goes straight
  back to select(), which says "readable" again at once: a core spun until something else
  noticed, for ever when stdin was a pipe;
- its writer thread dies on the first EIO of a hung-up tty, after which the thirtieth
  queued frame blocks the event loop for good.
Here end-of-file or EIO on input, and any failed write, end the console instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
from codecs import getincrementaldecoder
from typing import IO, Any

from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

from noc_tui.ui.terminal import EXIT_HANGUP, leave

log = logging.getLogger("noc_tui.ui")
READ_BYTES = 4096


class TerminalOutput:
    """What Textual's writer thread writes to: a failed write ends the console, not the thread."""

    def __init__(self, file: IO[str], gone: Any) -> None:
        self._file = file
        self._gone = gone
        self.failed = False

    def write(self, text: str) -> None:
        if self.failed:
            return  # nobody will ever see it; keep draining so no writer blocks
        try:
            self._file.write(text)
        except (OSError, ValueError):
            self._fail()

    def flush(self) -> None:
        if self.failed:
            return
        try:
            self._file.flush()
        except (OSError, ValueError):
            self._fail()

    def fileno(self) -> int:
        return self._file.fileno()

    def _fail(self) -> None:
        self.failed = True
        self._gone("output failed")


class NocDriver(LinuxDriver):
    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)  # sets self._loop
        self._ended = False
        if self._file is not None:
            # assignment: Textual types _file as IO[str]; TerminalOutput wraps one and has the
            # write/flush/fileno its writer thread uses, not the whole IO interface.
            self._file = TerminalOutput(self._file, self._terminal_gone)  # type: ignore[assignment]

    def _terminal_gone(self, why: str) -> None:
        """Any thread: tell the app once that its terminal is gone."""
        if self._ended:
            return
        self._ended = True
        log.warning("terminal gone (%s): leaving", why)
        leave(self._app, EXIT_HANGUP, self._loop)

    def run_input_thread(self) -> None:
        """LinuxDriver.run_input_thread, but end-of-file and EIO end the console."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not self.exit_event.is_set():
                for _key, mask in selector.select(0.1):
                    if not mask & selectors.EVENT_READ:
                        continue
                    try:
                        data = os.read(self.fileno, READ_BYTES)
                    except BlockingIOError:
                        continue  # someone set O_NONBLOCK on the tty: nothing yet
                    except OSError:
                        data = b""  # EIO: the terminal hung up
                    if not data:
                        self._terminal_gone("end of input")
                        return  # nothing more will come; do not spin on it
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
            with contextlib.suppress(Exception):
                for _event in parser.feed(""):
                    pass
