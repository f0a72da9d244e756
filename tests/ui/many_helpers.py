"""A NOC with many backends: 30 PBXes, 3 LibreNMS and 2 Krill, on a lab that serves one of each
(and 30 PBXes). The extra LibreNMS and Krill entries are more names for the lab's one URL."""

from __future__ import annotations

import socket
import tomllib

import httpx

from noc_tui.api import Backends
from noc_tui.clock import FrozenClock
from noc_tui.config import Config, parse_config
from noc_tui.sim import Lab
from noc_tui.sim.credentials import lab_config_toml
from noc_tui.ui.app import NocApp
from tests.ui.helpers import console

PBXES = 30
EXTRA = {"librenms": ("librenms-2", "librenms-3"), "krill": ("krill-2",)}
SMALL = 12  # extensions per PBX: enough to count, quick to serve


def closed_port() -> int:
    """A loopback port nothing listens on: a backend configured there is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def many_config(
    urls: dict[str, str],
    kinds: dict[str, str],
    seed: int,
    down: tuple[str, ...] = (),
    poll: float = 1,
) -> Config:
    """The lab's PBXes, LibreNMS and Krill (no OpenWISP), the extra names on the same URLs;
    `down`: backends configured at a port where nothing answers."""
    names = {name: kind for name, kind in kinds.items() if kind != "openwisp"}
    for kind, extra in EXTRA.items():
        for name in extra:
            names[name], urls[name] = kind, urls[kind]
    for name in down:
        urls[name] = f"http://127.0.0.1:{closed_port()}"
    ordered = {
        n: k for kind in ("librenms", "krill", "kalliope") for n, k in names.items() if k == kind
    }
    return parse_config(tomllib.loads(lab_config_toml(urls, seed, poll, ordered)))


def lab_kinds(lab: Lab) -> tuple[dict[str, str], dict[str, str]]:
    backends = lab.backends
    return {b.name: b.url for b in backends}, {b.name: b.kind for b in backends}


def many_live_console(lab: Lab, down: tuple[str, ...] = (), **options) -> NocApp:  # type: ignore[no-untyped-def]
    """The console on a started lab over loopback HTTP, with the real clock."""
    from noc_tui.clock import SYSTEM_CLOCK

    urls, kinds = lab_kinds(lab)
    config = many_config(urls, kinds, lab.seed, down)
    return console(config, Backends(config), clock=SYSTEM_CLOCK, **options)


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def many_frozen_console(down: str = "kalliope-7", theme: str | None = None) -> NocApp:
    """The many-backend console on a frozen lab through ASGI: same pixels every run; `down`
    answers every request with a refused connection."""
    clock = FrozenClock()
    lab = Lab(seed=1, cpes=60, clock=clock, pbxes=PBXES, extensions=SMALL)
    kinds = dict(lab._kinds)
    urls = {name: f"http://127.0.0.1:{9100 + index}" for index, name in enumerate(kinds)}
    transports: dict[str, httpx.AsyncBaseTransport] = {
        urls[name]: httpx.ASGITransport(app=lab.asgi_app(name)) for name in kinds
    }
    config = many_config(dict(urls), kinds, lab.seed, poll=5)
    if down:
        url = next(b.url for b in config.backends if b.name == down)
        transports[url] = httpx.MockTransport(_refused)
    backends = Backends(config, clock=clock, transports=transports)
    return console(config, backends, clock=clock, theme_name=theme)
