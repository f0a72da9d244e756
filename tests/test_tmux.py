"""The wallboard in a real tmux, as it runs on a wall: `noc-tui --demo --wallboard` at 120x40.

It needs the tmux binary; .ci/run installs it. The server has its own socket (-L), so a tmux
the developer is running is never touched, and it is killed at the end whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
ROTATE_SECONDS = 3


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "wall")

    def wait_for(self, check: Callable[[str], bool], seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.3)
        raise AssertionError(f"screen never matched; last capture:\n{text}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(f"noc-tui-test-{uuid.uuid4().hex[:8]}")
    env = {**os.environ, "TERM": "tmux-256color", "HOME": str(tmp_path)}
    console = f"{sys.executable} -m noc_tui --demo --wallboard --rotate {ROTATE_SECONDS}"
    assert TMUX is not None
    subprocess.run(
        [TMUX, "-L", session.socket, "-f", "/dev/null", "new-session", "-d", "-s", "wall"]
        + ["-x", "120", "-y", "40", console],
        check=True,
        env=env,
        timeout=10,
    )
    try:
        yield session
    finally:
        session.run("kill-server")


def head(screen: str) -> str:
    return screen.splitlines()[0] if screen else ""


def test_wallboard_shows_the_tiles_and_rotates(tmux: Tmux) -> None:
    first = tmux.wait_for(lambda s: "Open alerts" in s and "updated" in s and "1/5" in head(s))
    for word in ("Devices down", "OpenWISP config", "PBX kalliope", "Backends", "read-only"):
        assert word in first
    second = tmux.wait_for(lambda s: "2/5" in head(s), seconds=ROTATE_SECONDS * 4)
    assert "open alerts" in second and "Severity" in second
    assert second != first
    tmux.run("send-keys", "-t", "wall", "Space")
    paused = tmux.wait_for(lambda s: "paused" in head(s), seconds=5)
    page = head(paused).split("·")[1]
    time.sleep(ROTATE_SECONDS * 1.5)
    assert head(tmux.screen()).split("·")[1] == page  # still on the same page
    tmux.run("send-keys", "-t", "wall", "a")
    tmux.wait_for(lambda s: "does nothing" in s, seconds=5)
    tmux.run("send-keys", "-t", "wall", "q")
    tmux.wait_for(lambda s: "Open alerts" not in s and "paused" not in s, seconds=10)


def test_console_leaves_when_tmux_dies_even_if_its_parent_keeps_the_sighup(tmp_path: Path) -> None:
    """`make demo` holds the SIGHUP of a killed tmux: the console must not spin on a dead tty."""
    socket = f"noc-tui-test-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / f"hangup-{uuid.uuid4().hex[:8]}.log"
    # The shell is the session leader and ignores SIGHUP, as make does.
    console = f"trap '' HUP; {sys.executable} -m noc_tui --demo --log-file {marker}; sleep 60"
    assert TMUX is not None
    env = {**os.environ, "TERM": "tmux-256color", "HOME": str(tmp_path)}
    subprocess.run(
        [TMUX, "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "t"]
        + ["-x", "100", "-y", "30", console],
        check=True,
        env=env,
        timeout=10,
    )

    def running() -> bool:
        """The console itself (not the shell around it): its argv names our log file."""
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                argv = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue
            if argv[1:3] == [b"-m", b"noc_tui"] and str(marker).encode() in argv:
                return True
        return False

    try:
        deadline = time.monotonic() + 20
        while not running() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert running()
        time.sleep(2)  # painted and polling
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=10)
    deadline = time.monotonic() + 15
    while running() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not running(), "the console outlived its terminal"
