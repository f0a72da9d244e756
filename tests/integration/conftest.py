"""A real OpenWISP controller for the whole session, set up and started here, stopped at the end.

Where it cannot be set up they fail loudly on a machine that should manage it (apt-get
present, as in CI, or CI / NOC_TUI_REQUIRE_PEERS set) and are skipped with the reason
elsewhere (no apt-get: the Debian packages cannot be installed).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.integration import openwisp_peer


@dataclass(frozen=True)
class Peer:
    url: str
    token: str
    setup_seconds: float


def _give_up(reason: str) -> None:
    if os.environ.get("CI") or os.environ.get("NOC_TUI_REQUIRE_PEERS") or shutil.which("apt-get"):
        pytest.fail(f"real OpenWISP controller unavailable: {reason}", pytrace=False)
    pytest.skip(f"real OpenWISP controller unavailable: {reason}")


@pytest.fixture(scope="session")
def openwisp_peer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    started = time.monotonic()
    state = tmp_path_factory.mktemp("openwisp-peer")  # its own database: runs never collide
    try:
        setup = openwisp_peer.setup(state)
    except (OSError, TimeoutError) as error:  # no recipe, no bash, too slow
        _give_up(str(error))
    if setup.returncode != 0:
        _give_up("setup.sh failed: " + (setup.stderr or setup.stdout)[-600:])
    port = openwisp_peer.free_port()
    run = openwisp_peer.start(port, state)
    if run.returncode != 0:
        _give_up("start.sh failed: " + (run.stderr or run.stdout)[-600:])
    try:
        yield Peer(
            f"http://127.0.0.1:{port}", openwisp_peer.ADMIN_TOKEN, time.monotonic() - started
        )
    finally:
        openwisp_peer.stop(state)
