"""A dead terminal ends the console, whatever came first, within 2 s and without spinning.

The real `noc-tui --demo` runs on a real pty (120x40, xterm-256color) until it has drawn
its backends answering; then the terminal is taken away from it in one of several orders:
signals, the pty's master closed (a killed tmux, a dropped SSH session), end-of-file on a
stdin pipe, a terminal that stops reading (a stalled SSH link). Each time the console must
be gone within 2 s, have used little CPU meanwhile, and leave no lab process behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

READY = b"4 of 4 ok"  # the overview's Backends tile: every backend of the lab answered
CONTROL = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")  # colours, cursor moves
EXIT_LIMIT = 2.0  # what the console promises after the last blow
WAIT_LIMIT = 6.0  # how long the test waits before it calls the console stuck
CPU_LIMIT = 1.0  # a spinning core burns about a second per second
STEP_GAP = 0.1  # between the steps of one order, so they arrive in that order
TICK = os.sysconf("SC_CLK_TCK")
WRITE_SYSCALL = {"x86_64": 1, "aarch64": 64}.get(platform.machine())


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), None once reaped."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def own_cpu_seconds(pid: int) -> float:
    """utime + stime of every thread of pid (not its children's); still there for a zombie."""
    fields = proc_stat(pid)
    assert fields is not None
    return (int(fields[11]) + int(fields[12])) / TICK


def running(pid: int) -> bool:
    fields = proc_stat(pid)
    return fields is not None and fields[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def blocked_in_write(pid: int) -> bool:
    """Some thread of pid sleeps in write(2): its terminal does not take any more output."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            call = (task / "syscall").read_text().split()[0]
        except (OSError, IndexError):
            continue
        if WRITE_SYSCALL is not None and call == str(WRITE_SYSCALL):
            return True
    return False


def wait_until(check: Callable[[], bool], seconds: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


class Console:
    """`noc-tui --demo` on a pty, its output read (so it never blocks) until told to stop."""

    def __init__(self, *, pipe_stdin: bool = False, controlling_tty: bool = False) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.tty_before = termios.tcgetattr(slave)
        self.slave = slave
        self.stdin_writer: int | None = None
        stdin = slave
        if pipe_stdin:
            stdin, self.stdin_writer = os.pipe()
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONUNBUFFERED": "1"}
        for var in ("TEXTUAL_ALLOW_SIGNALS", "TEXTUAL_DRIVER"):
            env.pop(var, None)

        def take_tty() -> None:  # as a terminal's shell would: the kernel hangs it up on us
            fcntl.ioctl(1, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [sys.executable, "-m", "noc_tui", "--demo"],
            stdin=stdin,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=take_tty if controlling_tty else None,
        )
        if pipe_stdin:
            os.close(stdin)
        self.output = bytearray()
        self.ready = threading.Event()
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.master_open = True
        self.cpu_before = 0.0
        self.lab: list[int] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        while not self._stop_reading.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk
            if READY in CONTROL.sub(b"", self.output[-8192:]):  # styles may split the text
                self.ready.set()

    def wait_ready(self) -> None:
        assert self.ready.wait(30), f"the console never drew its backends: {self.output[-300:]!r}"
        self.lab = children(self.pid)
        assert self.lab, "the demo lab is not a child process of the console"
        self.cpu_before = own_cpu_seconds(self.pid)

    def stop_reading(self) -> None:
        self._stop_reading.set()
        self._reader.join(5)

    def apply(self, step: str) -> None:
        if step in ("SIGTERM", "SIGHUP", "SIGINT"):
            os.kill(self.pid, getattr(signal, step))
        elif step == "close":
            self.stop_reading()
            os.close(self.master)
            self.master_open = False
        elif step == "eof":
            assert self.stdin_writer is not None
            os.close(self.stdin_writer)
            self.stdin_writer = None
        elif step == "stall":
            # Nobody reads the terminal any more; screen switches (whole frames) fill it up.
            self.stop_reading()
            keys = iter(b"2341" * 25)

            def full() -> bool:
                if blocked_in_write(self.pid):
                    return True
                os.write(self.master, bytes([next(keys, ord("1"))]))
                return False

            assert wait_until(full, 15, step=0.1), f"output never blocked: {self.threads()}"
        else:
            raise ValueError(step)

    def threads(self) -> str:
        """State and system call of each thread, for a failure's message."""
        found = []
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError, IndexError):
                state = (proc_stat(int(task.name)) or ["?"])[0]
                found.append(f"{state}:{(task / 'syscall').read_text().split()[0]}")
        return " ".join(found)

    def wait_gone(self) -> tuple[float, float]:
        """Seconds from now until the console has exited, and the CPU it used since cpu_before."""
        started = time.monotonic()
        gone = wait_until(lambda: not running(self.pid), WAIT_LIMIT, step=0.01)
        elapsed = time.monotonic() - started
        cpu = own_cpu_seconds(self.pid) - self.cpu_before
        if not gone:
            raise AssertionError(
                f"still running after {elapsed:.1f} s, {cpu:.2f} s of CPU since ready"
            )
        self.process.wait(5)
        return elapsed, cpu

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.stop_reading()
        for pid in self.lab:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        for fd in (self.stdin_writer, self.slave, self.master if self.master_open else None):
            if fd is not None:
                os.close(fd)


@pytest.fixture
def start() -> Iterator[Callable[..., Console]]:
    made: list[Console] = []

    def make(**options: bool) -> Console:
        console = Console(**options)
        made.append(console)
        return console

    yield make
    for console in made:
        console.close()


ORDERS = {
    "sigterm": ["SIGTERM"],
    "sighup": ["SIGHUP"],
    "sigint": ["SIGINT"],
    "closed-pty": ["close"],
    "sigterm-then-closed-pty": ["SIGTERM", "close"],
    "closed-pty-then-sighup": ["close", "SIGHUP"],
    "sighup-sigterm-sigint": ["SIGHUP", "SIGTERM", "SIGINT"],
    "eof-on-stdin": ["eof"],
    # A terminal that takes no more output wedged Textual's shutdown: SIGTERM was ignored.
    "stalled-terminal-then-sigterm": ["stall", "SIGTERM"],
    "stalled-terminal-then-sigterm-twice": ["stall", "SIGTERM", "SIGTERM"],
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_a_dead_terminal_ends_the_console(
    order: list[str], start: Callable[..., Console], record_property: Callable[..., None]
) -> None:
    if "stall" in order and WRITE_SYSCALL is None:
        pytest.skip(f"no write(2) number known for {platform.machine()}")
    console = start(pipe_stdin="eof" in order)
    console.wait_ready()
    lab = console.lab
    first_blow = next(index for index, step in enumerate(order) if step != "stall")
    for index, step in enumerate(order):
        if index:
            time.sleep(STEP_GAP)
        if index == first_blow:
            console.cpu_before = own_cpu_seconds(console.pid)  # not the stall's rendering
        console.apply(step)
    elapsed, cpu = console.wait_gone()
    record_property("exit_seconds", round(elapsed, 3))
    record_property("cpu_seconds", round(cpu, 3))
    print(f"{'+'.join(order)}: gone {elapsed:.2f} s after the last step, {cpu:.2f} s CPU")
    assert elapsed < EXIT_LIMIT
    assert cpu < CPU_LIMIT, f"{cpu:.2f} s of CPU after the terminal died: it spun"
    assert wait_until(lambda: not any(running(pid) for pid in lab), 3), "the lab outlived it"


def test_the_kernels_hangup_of_its_controlling_tty_ends_the_console(
    start: Callable[..., Console],
) -> None:
    """A killed tmux with the console as session leader: SIGHUP and end-of-file together."""
    console = start(controlling_tty=True)
    console.wait_ready()
    lab = console.lab
    console.apply("close")
    elapsed, cpu = console.wait_gone()
    assert elapsed < EXIT_LIMIT
    assert cpu < CPU_LIMIT
    assert wait_until(lambda: not any(running(pid) for pid in lab), 3)


@pytest.mark.parametrize("key", [b"q", b"\x11"], ids=["q", "ctrl+q"])
def test_quitting_still_restores_the_terminal(key: bytes, start: Callable[..., Console]) -> None:
    console = start()
    console.wait_ready()
    lab = console.lab
    os.write(console.master, key)
    elapsed, cpu = console.wait_gone()
    assert console.process.returncode == 0
    assert elapsed < EXIT_LIMIT
    assert termios.tcgetattr(console.slave) == console.tty_before  # cooked mode again
    assert wait_until(lambda: b"\x1b[?1049l" in console.output, 2)  # off the alt screen
    assert wait_until(lambda: not any(running(pid) for pid in lab), 3)
