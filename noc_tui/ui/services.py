"""What a screen may use of the console, typed: the config, the clients, the clock, and the two
ways to move between screens. Screens reach it through `services_of(app)`, never through the
App class itself, so no screen module imports the app (which imports every screen)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App

from noc_tui.api import Backends
from noc_tui.clock import Clock
from noc_tui.config import Config
from noc_tui.ui.heap import HeapKeeper


@dataclass
class Services:
    config: Config
    backends: Backends
    clock: Clock
    heap: HeapKeeper
    show: Callable[[str], None]  # to a screen by its name (its mode)
    go_back: Callable[[], None]  # the view under this one, else the screen shown before
    painted: bool = False  # the first frame is on the terminal (Textual's Ready event)


def services_of(app: App[Any]) -> Services:
    services = getattr(app, "services", None)
    if not isinstance(services, Services):
        raise LookupError(f"{type(app).__name__} holds no console services")
    return services
