"""Building the overview and the wallboard for tests, with watched CPEs and a short rotation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import httpx

from noc_tui.api import Backends
from noc_tui.clock import SYSTEM_CLOCK, FrozenClock
from noc_tui.config import Config
from noc_tui.sim import Lab
from noc_tui.ui.app import NocApp
from noc_tui.ui.themes import load_themes
from noc_tui.ui.wallboard_app import WallboardApp
from tests.ui.helpers import SNAPSHOT_PORTS, lab_config_on_fixed_ports


def watched_names(lab: Lab, count: int = 2) -> tuple[str, ...]:
    return tuple(r["cpename"] for r in lab.sim("krill").world.records[:count])


def with_ui(config: Config, **ui: object) -> Config:
    return dataclasses.replace(config, ui=dataclasses.replace(config.ui, **ui))


def frozen_board(
    wallboard: bool = True,
    theme: str | None = None,
    rotate: float = 20.0,
    prepare: Callable[[Lab], None] | None = None,
) -> NocApp:
    """The wallboard (or the console) on a frozen lab through ASGI, two CPEs watched;
    `prepare` changes the lab's world before the console starts."""
    clock = FrozenClock()
    lab = Lab(seed=1, cpes=120, clock=clock)
    if prepare is not None:
        prepare(lab)
    config = with_ui(
        lab_config_on_fixed_ports(lab), watch_cpes=watched_names(lab), rotate_seconds=rotate
    )
    transports = {
        f"http://127.0.0.1:{port}": httpx.ASGITransport(app=lab.asgi_app(name))
        for name, port in SNAPSHOT_PORTS.items()
    }
    backends = Backends(config, clock=clock, transports=transports, read_only=wallboard)
    app_class = WallboardApp if wallboard else NocApp
    return app_class(
        config,
        backends,
        clock=clock,
        themes=load_themes(extra_dirs=[]),
        theme_name=theme,
        watch_health=False,
    )


def live_board(lab: Lab, rotate: float = 20.0, wallboard: bool = True) -> NocApp:
    """The wallboard on the lab over real loopback HTTP, 1-second polls, the real clock."""
    config = with_ui(
        lab.config(poll_seconds=1), watch_cpes=watched_names(lab), rotate_seconds=rotate
    )
    backends = Backends(config, read_only=wallboard)
    app_class = WallboardApp if wallboard else NocApp
    return app_class(
        config,
        backends,
        clock=SYSTEM_CLOCK,
        themes=load_themes(extra_dirs=[]),
        watch_health=False,
    )
