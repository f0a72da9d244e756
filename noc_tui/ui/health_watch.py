"""Keeps every backend's health fresh for the status bar, whatever screen is open.

A screen's own polls already record health as a side effect; this watch pings a backend
only when nothing has spoken to it for one poll period, so it adds no traffic to a backend
that a screen is polling, and a backend no screen uses still shows up, down or slow.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from textual.app import App

from noc_tui.api import ApiClient, Backends
from noc_tui.api.errors import BackendError
from noc_tui.clock import Clock
from noc_tui.ui.poll import backoff_delay
from noc_tui.ui.work import async_work

log = logging.getLogger("noc_tui.health")
START_GRACE_SECONDS = 2.0  # the open screen's own polls go first; most make a ping needless
# A polled backend is heard from about once a poll period, plus the poll's own time: quiet
# for one period exactly is the next poll on its way, not silence (pinging then doubled the
# requests to Krill and OpenWISP). Quiet for half a period more is.
QUIET_PERIODS = 1.5


def start_health_watch(app: App[Any], backends: Backends, clock: Clock) -> None:
    for client in backends:
        app.run_worker(
            async_work(partial(_watch, client, clock)),
            name=f"health {client.name}",
            group=f"health-{client.name}",
            exclusive=True,
            exit_on_error=False,
        )


def quiet_seconds(client: ApiClient, now: float) -> float:
    """Seconds since the backend last answered (well or badly); infinite when never asked."""
    health = client.health
    heard = max(health.last_ok or 0.0, health.last_error_at or 0.0)
    return now - heard if heard else float("inf")


async def _watch(client: ApiClient, clock: Clock) -> None:
    interval = client.settings.poll_seconds
    failures = 0
    await asyncio.sleep(min(interval, START_GRACE_SECONDS))
    while True:
        quiet = quiet_seconds(client, clock.now())
        if quiet < QUIET_PERIODS * interval:  # a screen is talking to it: nothing to add
            await asyncio.sleep(QUIET_PERIODS * interval - quiet)
            continue
        try:
            await client.ping()
            failures = 0
        except BackendError:  # recorded in the health the status bar reads
            failures += 1
        except Exception:  # a bug must not end the watch: log it, back off, carry on
            log.exception("health ping of %s failed", client.name)
            failures += 1
        await asyncio.sleep(backoff_delay(interval, failures))
