"""Set up, start and stop the real OpenWISP controller for the integration tests.

The recipe is ours, next to this file (openwisp/: setup.sh installs the Debian packages, a
venv from Debian's python3 with openwisp-controller 1.3.2, migrates and seeds).
Run by hand: `python tests/integration/openwisp_peer.py setup|start PORT|stop`
(state in NOC_TUI_OPENWISP_STATE, default ~/.cache/noc-tui/openwisp-peer).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

RECIPE = Path(__file__).resolve().parent / "openwisp"
STATE = Path(
    os.environ.get("NOC_TUI_OPENWISP_STATE", Path.home() / ".cache" / "noc-tui" / "openwisp-peer")
)
VENV = Path(
    os.environ.get("NOC_TUI_OPENWISP_VENV", Path.home() / ".cache" / "noc-tui" / "openwisp-venv")
)
ADMIN_TOKEN = "0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0"  # fixed by openwisp/seed.py
SETUP_TIMEOUT = 540  # well inside the 10 minutes the issue allows
START_TIMEOUT = 90
MISSING_PREREQUISITE = 77  # setup.sh's exit status when something it cannot install is absent
RUNSERVER = "runserver"  # in the server's command line: stop() signals only a pid that has it


class Unavailable(Exception):
    """A prerequisite is missing (no apt-get, no network): the tests skip, with this reason."""


class PeerFailed(Exception):
    """The set-up or the server failed although everything it needs was there."""


def _tail(text: str, limit: int = 600) -> str:
    return text.strip()[-limit:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(state: Path = STATE) -> str:
    """Idempotent; reset so every run gets the same seeded controller (the tests change it)."""
    if not (RECIPE / "setup.sh").is_file():
        raise PeerFailed(f"recipe missing: {RECIPE / 'setup.sh'}")
    state.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NOC_TUI_OPENWISP_STATE": str(state), "NOC_TUI_OPENWISP_VENV": str(VENV)}
    try:
        done = subprocess.run(
            ["bash", str(RECIPE / "setup.sh"), "--reset"],
            env=env,
            text=True,
            capture_output=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as error:  # no bash
        raise Unavailable(f"cannot run setup.sh: {error}") from error
    except subprocess.TimeoutExpired as error:
        raise PeerFailed(f"setup.sh took more than {SETUP_TIMEOUT} s") from error
    if done.returncode == MISSING_PREREQUISITE:
        raise Unavailable(_tail(done.stderr.splitlines()[-1] if done.stderr else "setup.sh: 77"))
    if done.returncode != 0:
        raise PeerFailed(f"setup.sh exited {done.returncode}: {_tail(done.stderr or done.stdout)}")
    return done.stdout


def _answers(port: int) -> bool:
    """The API is up once it answers a device list (401 without a token) on loopback."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/api/v1/controller/device/")
        return connection.getresponse().status in (200, 401)
    except OSError:
        return False
    finally:
        connection.close()


def start(port: int, state: Path = STATE) -> int:
    """Start daphne's runserver on 127.0.0.1:port in the background; its pid once it answers."""
    pidfile = state / "server.pid"
    if _ours(pidfile) is not None:
        raise PeerFailed(f"already running: pid {pidfile.read_text().strip()}")
    if not (state / "openwisp.sqlite3").is_file():
        raise PeerFailed(f"no database in {state}: run setup first")
    log = state / "server.log"
    command = [
        str(VENV / "bin" / "python"),
        "-m",
        "django",
        RUNSERVER,
        f"127.0.0.1:{port}",
        "--noreload",  # one process: the pid is the server
        "--insecure",  # the admin's static files with DEBUG off
        "--settings=owpeer.settings",
        f"--pythonpath={RECIPE}",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            cwd=RECIPE,
            env={**os.environ, "OPENWISP_STATE_DIR": str(state)},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives a by-hand `start`; stop() ends it by pid
        )
    pidfile.write_text(f"{server.pid}\n")
    (state / "server.port").write_text(f"{port}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pidfile.unlink(missing_ok=True)
            raise PeerFailed(f"server exited {server.returncode}: {_tail(log.read_text())}")
        if _answers(port):
            return server.pid
        time.sleep(0.3)
    stop(state)
    raise PeerFailed(f"server did not answer within {START_TIMEOUT} s: {_tail(log.read_text())}")


def _ours(pidfile: Path) -> int | None:
    """The pid in pidfile if that process is still our server (not a recycled pid)."""
    try:
        pid = int(pidfile.read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if RUNSERVER.encode() in command else None


def stop(state: Path = STATE) -> str:
    pidfile = state / "server.pid"
    pid = _ours(pidfile)
    pidfile.unlink(missing_ok=True)
    if pid is None:
        return "not running"
    os.kill(pid, signal.SIGTERM)
    for _ in range(40):
        if _alive(pid):
            time.sleep(0.25)
        else:
            return f"stopped pid {pid}"
    os.kill(pid, signal.SIGKILL)
    return f"killed pid {pid} (still running 10 s after TERM)"


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):  # reap it when it is our child (the fixture's)
        os.waitpid(pid, os.WNOHANG)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else "setup"
    try:
        if verb == "setup":
            print(setup(), end="")
        elif verb == "stop":
            print(stop())
        else:
            port = int(sys.argv[2]) if len(sys.argv) > 2 else free_port()
            print(f"up: http://127.0.0.1:{port} pid {start(port)} token {ADMIN_TOKEN}")
    except (Unavailable, PeerFailed) as error:
        sys.exit(f"{type(error).__name__}: {error}")
