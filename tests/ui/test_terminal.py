"""A hung-up terminal is noticed; a wedged console still ends, its terminal restored."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time

from noc_tui.ui.terminal import DEADLINE_SECONDS, terminal_gone


def test_a_terminal_whose_other_end_closed_is_gone() -> None:
    master, slave = pty.openpty()
    try:
        assert not terminal_gone(slave)
        os.close(master)
        master = -1
        # The pty's slave side now answers ioctls with EIO, as a hung-up SSH terminal does.
        assert terminal_gone(slave)
    finally:
        os.close(slave)
        if master >= 0:
            os.close(master)


WEDGED = """
import threading, tty
from noc_tui.ui.terminal import ExitGuard
guard = ExitGuard()
guard.install()
tty.setraw(0)  # as Textual leaves it
print("wedged", flush=True)
threading.Event().wait()  # the main thread never comes back, as on a blocked writer join
"""


def test_the_deadline_ends_a_wedged_console_and_restores_the_terminal() -> None:
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    process = subprocess.Popen(
        [sys.executable, "-c", WEDGED], stdin=slave, stdout=slave, stderr=slave
    )
    output = b""
    try:
        while b"wedged" not in output:
            ready, _, _ = select.select([master], [], [], 10)
            assert ready, output
            output += os.read(master, 4096)
        assert termios.tcgetattr(slave) != before
        started = time.monotonic()
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(5) == 128 + signal.SIGTERM
        elapsed = time.monotonic() - started
        assert DEADLINE_SECONDS <= elapsed < 2.0
        assert termios.tcgetattr(slave) == before  # cooked again
        while b"\x1b[?1049l" not in output:  # the reset reached the terminal
            ready, _, _ = select.select([master], [], [], 5)
            assert ready, output
            output += os.read(master, 4096)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
        os.close(slave)
