"""The console on a real pseudo-terminal against the hostile lab: every byte it writes is read,
and no escape or control sequence that came from a backend may be among them.

What a screen draws from data reaches the terminal as text: an OSC 52 clipboard write, an OSC 8
link, a window title, a clear-screen, C1 controls and bidi overrides from a hostname or a
caller name show as visible placeholders (␛, �) or not at all, never as the sequence itself.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from noc_tui.sim import Lab

COLUMNS, ROWS = 160, 50
BACKENDS = ("krill", "librenms", "openwisp", "kalliope")
# Sequences from the lab's hostile catalogue, as they would arrive if passed through.
FROM_DATA = (
    re.compile("\x1b\\]52;"),  # a clipboard write (the console never copies on its own)
    re.compile("\x1b\\]8;[^\x1b]*evil\\.example"),  # a link to the attacker's site
    re.compile("\x1b\\]0;owned"),  # the window title
    re.compile("\x1b\\[2J"),  # the linux driver never clears this way: only data would
    re.compile("\x1b\\[31m"),  # 16-colour red: a truecolor console writes 38;2;r;g;b
    re.compile("[\x80-\x9f]"),  # C1 controls, as characters
    re.compile("[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"),  # bidi
    re.compile("[\x00\x08\x7f]"),  # NUL, backspace, DEL
    re.compile("\x07\x07"),  # the lab's double bell (one bell may be a critical alert)
    re.compile("\rFAKE OK"),  # a carriage return rewriting the line
)


class Console:
    """The console process on a pty; a thread-free reader keeps every byte it wrote."""

    def __init__(self, config: Path, home: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "HOME": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "noc_tui", "--config", str(config)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.output += data

    def text(self) -> str:
        return self.output.decode("utf-8", errors="strict")  # a stray raw byte fails here

    def wait_for(
        self, check: Callable[[str], bool], what: str, seconds: float = 60, since: int = 0
    ) -> None:
        """Until `check` holds for what was drawn after byte `since`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.read(0.2)
            if check(self.output[since:].decode("utf-8", errors="replace")):
                return
            assert self.process.poll() is None, f"the console exited waiting for {what}"
        tail = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", self.output[-3000:].decode(errors="replace"))
        raise AssertionError(f"no {what} within {seconds} s; the last output: {tail!r}")

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        os.close(self.master)


@pytest.fixture
def hostile_lab(clean_lab: Lab) -> Iterator[Lab]:
    for backend in BACKENDS:
        clean_lab.set_faults(backend, "hostile")
    yield clean_lab


@pytest.fixture
def console(hostile_lab: Lab, tmp_path: Path) -> Iterator[Console]:
    config = tmp_path / "noc-tui.toml"
    config.write_text(hostile_lab.config_toml(poll_seconds=1))
    running = Console(config, tmp_path)
    yield running
    running.close()


def test_no_escape_from_data_reaches_the_terminal(console: Console) -> None:
    console.wait_for(lambda text: "Open alerts" in text, "overview")
    for key, title in (("3", "alerts"), ("4", "devices"), ("5", "extensions"), ("6", "calls")):
        drawn = len(console.output)
        console.press(key)
        console.wait_for(
            lambda text, title=title: title in text.lower(), f"the {title} screen", since=drawn
        )
        if key == "3":  # hostile names drawn in the alerts table, their ESC made visible
            console.wait_for(lambda text: "␛" in text, "a hostile name", since=drawn)
        console.read(1.5)  # a poll or two of hostile rows on this screen
    console.press("\t")  # the OpenWISP tab of the devices screen, when it is the current one
    console.read(1.0)
    assert console.process.poll() is None, "the console died on hostile input"
    text = console.text()
    found = [pattern.pattern for pattern in FROM_DATA if pattern.search(text)]
    assert not found, f"sequences from data reached the terminal: {found}"
    assert "[/]" in text  # markup in data drawn literally
