"""Building the console for tests: on the real-HTTP lab, or on a frozen lab for snapshots."""

from __future__ import annotations

import dataclasses

import httpx
from textual.pilot import Pilot

from noc_tui.api import Backends
from noc_tui.clock import FrozenClock
from noc_tui.config import Config
from noc_tui.sim import Lab
from noc_tui.ui.app import NocApp
from noc_tui.ui.themes import load_themes

# Fixed URLs for snapshots: the lab is plugged in through ASGITransport, no port in sight.
SNAPSHOT_PORTS = {"krill": 8801, "librenms": 8802, "openwisp": 8803, "kalliope": 8804}


def console(config: Config, backends: Backends, clock=None, **options) -> NocApp:  # type: ignore[no-untyped-def]
    options.setdefault("watch_health", False)  # tests count requests; one test turns it on
    return NocApp(
        config,
        backends,
        clock=clock or FrozenClock(),
        themes=load_themes(extra_dirs=[]),
        **options,
    )


def live_console(lab: Lab, read_only: bool = False, **options) -> NocApp:  # type: ignore[no-untyped-def]
    """The console on the lab over real loopback HTTP, with the real clock."""
    from noc_tui.clock import SYSTEM_CLOCK

    config = lab.config(poll_seconds=1)
    return console(config, Backends(config, read_only=read_only), clock=SYSTEM_CLOCK, **options)


def frozen_console(seed: int = 1, theme: str | None = None, **options) -> NocApp:  # type: ignore[no-untyped-def]
    """The console on a frozen lab through ASGI: same pixels every run."""
    clock = FrozenClock()
    lab = Lab(seed=seed, cpes=120, clock=clock)
    config = lab_config_on_fixed_ports(lab)
    transports = {
        f"http://127.0.0.1:{port}": httpx.ASGITransport(app=lab.asgi_app(name))
        for name, port in SNAPSHOT_PORTS.items()
    }
    backends = Backends(config, clock=clock, transports=transports)
    return console(config, backends, clock=clock, theme_name=theme, **options)


def lab_config_on_fixed_ports(lab: Lab) -> Config:
    lab.port = 8801
    config = lab.config(poll_seconds=5)
    fixed = tuple(
        dataclasses.replace(b, url=f"http://127.0.0.1:{SNAPSHOT_PORTS[b.kind]}")
        for b in config.backends
    )
    return dataclasses.replace(config, backends=fixed)


async def wait_for_first_polls(pilot: Pilot, tries: int = 400) -> None:  # type: ignore[type-arg]
    """Every poll job of the screen shown has shown its first answer (data or error), within
    ~8 s, or an AssertionError names the jobs that never answered."""
    screen = pilot.app.screen
    poller = getattr(screen, "poller", None)
    assert poller is not None and poller.jobs, (
        f"{type(screen).__name__} polls nothing: wait for what it shows instead"
    )

    def missing() -> list[str]:
        return [job.key for job in poller.jobs if job.key not in screen.polls_shown]

    for _ in range(tries):
        if not missing():
            break
        await pilot.pause(0.02)
    else:
        raise AssertionError(f"no first poll shown for {', '.join(missing())} within 8 s")
    await pilot.pause()
    await pilot.pause()


async def poll_again(pilot: Pilot, screen=None, key: str = "", tries: int = 400) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Poll `screen` (the one shown) now, by pressing `key` if given, and wait until every one
    of its jobs that a refresh wakes has shown an answer to a poll asked after this call, then
    let that repaint land: after this, a check that "nothing changed" means the poll had its
    chance."""
    screen = screen or pilot.app.screen
    poller = screen.poller
    assert poller is not None and poller.jobs, f"{type(screen).__name__} polls nothing"
    mark = poller.asked
    if key:
        await pilot.press(key)
    else:
        screen.refresh_data()

    def behind() -> list[str]:
        return [
            job.key
            for job in poller.jobs
            if job.on_refresh and screen.polls_shown.get(job.key, 0) <= mark
        ]

    for _ in range(tries):
        if not behind():
            break
        await pilot.pause(0.02)
    else:
        raise AssertionError(f"no answer shown after a refresh for {', '.join(behind())}")
    await pilot.pause()  # Pilot.pause flushes the repaint the answer asked for
    await pilot.pause()


async def wait_until(pilot: Pilot, check, tries: int = 400) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Wait for what the operator would see next (a row, a screen, a message), up to ~8 s."""
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def widget_text(widget) -> str:  # type: ignore[no-untyped-def]
    """What a Static shows, as plain text, whatever Rich renderable it holds (text, grid)."""
    import io

    from rich.console import Console

    out = Console(width=max(widget.size.width, 40), file=io.StringIO(), record=True)
    out.print(widget.content)
    return out.export_text()


def tile_text(tile) -> str:  # type: ignore[no-untyped-def]
    """What a tile shows now, as plain text (its one row when the screen is narrow)."""
    return str(tile.render().plain)


async def settled_when(pilot: Pilot, check) -> None:  # type: ignore[no-untyped-def,type-arg]
    """For snapshots: wait for `check`, then let the last repaint land."""
    await wait_until(pilot, check)
    await pilot.pause()
    await pilot.pause()
