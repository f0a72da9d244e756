"""A real OpenWISP controller for the whole session, set up and started here, stopped at the end.

The recipe is ours (openwisp/setup.sh). A missing prerequisite it cannot install (no apt-get
or root for the Debian packages, no network to Debian or PyPI) skips the tests with the
reason, unless CI or NOC_TUI_REQUIRE_PEERS is set; a set-up that fails with its
prerequisites there fails them.
"""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def openwisp_peer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    started = time.monotonic()
    state = tmp_path_factory.mktemp("openwisp-peer")  # its own database: runs never collide
    try:
        openwisp_peer.setup(state)
        port = openwisp_peer.free_port()
        openwisp_peer.start(port, state)
    except openwisp_peer.Unavailable as missing:
        reason = f"real OpenWISP controller unavailable: {missing}"
        if os.environ.get("CI") or os.environ.get("NOC_TUI_REQUIRE_PEERS"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    except openwisp_peer.PeerFailed as failed:
        pytest.fail(f"real OpenWISP controller failed: {failed}", pytrace=False)
    try:
        yield Peer(
            f"http://127.0.0.1:{port}", openwisp_peer.ADMIN_TOKEN, time.monotonic() - started
        )
    finally:
        openwisp_peer.stop(state)
