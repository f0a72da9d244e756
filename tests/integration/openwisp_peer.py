"""Set up, start and stop the real OpenWISP controller peer for the integration tests.

Uses the shared recipe at <repo>/../shared/peers/openwisp (setup.sh installs the Debian
packages, a venv from Debian's python3, openwisp-controller 1.3.2, migrates and seeds).
Run by hand: `python tests/integration/openwisp_peer.py setup|start PORT|stop`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RECIPE = Path(
    os.environ.get("NOC_TUI_OPENWISP_RECIPE", REPO.parent / "shared" / "peers" / "openwisp")
)
STATE = Path(
    os.environ.get("NOC_TUI_OPENWISP_STATE", Path.home() / ".cache" / "noc-tui" / "openwisp-peer")
)
ADMIN_TOKEN = "0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0"  # fixed by the recipe's seed.py
SETUP_TIMEOUT = 540  # well inside the 10 minutes the issue allows


def _env(state: Path) -> dict[str, str]:
    return {**os.environ, "OPENWISP_STATE_DIR": str(state)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(state: Path = STATE) -> subprocess.CompletedProcess[str]:
    """Idempotent; --reset gives every run the same seeded controller (the tests change it)."""
    if not (RECIPE / "setup.sh").exists():
        raise FileNotFoundError(f"OpenWISP peer recipe not found at {RECIPE}")
    state.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        ["bash", str(RECIPE / "setup.sh"), "--reset"],
        env=_env(state),
        text=True,
        capture_output=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )


def start(port: int, state: Path = STATE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(RECIPE / "start.sh"), str(port)],
        env=_env(state),
        text=True,
        capture_output=True,
        timeout=90,
        check=False,
    )


def stop(state: Path = STATE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(RECIPE / "stop.sh")],
        env=_env(state),
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else "setup"
    done = {"setup": setup, "stop": stop}.get(verb)
    result = done() if done else start(int(sys.argv[2]) if len(sys.argv) > 2 else free_port())
    print(result.stdout, result.stderr, sep="")
    sys.exit(result.returncode)
