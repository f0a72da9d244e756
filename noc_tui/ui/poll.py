"""Polling: one loop per screen and backend, on the shared client, never on a fixed beat.

The next poll is scheduled when the previous one has finished, so a slow backend never has
requests stacked against it; failures back off exponentially (with jitter) up to a ceiling,
and the backoff ends for every job of a backend as soon as one of them gets an answer; a
hidden screen's loops wait, and `refresh_now` cuts any wait short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from textual.message import Message
from textual.screen import Screen

from noc_tui.api.errors import BackendError, MalformedResponse
from noc_tui.ui.work import async_work

log = logging.getLogger("noc_tui.poll")

T = TypeVar("T")
# A wall must see a backend come back within about a minute of it answering again; a
# minute apart is still far from a tight loop.
MAX_BACKOFF_SECONDS = 60.0


@dataclass(frozen=True)
class PollJob(Generic[T]):
    """What to fetch from one backend for one screen, how often, and who shows the answer.

    `show` is typed with the fetch: the alerts job's handler receives a `Polled` of alerts,
    so no screen picks its results out of a stream by comparing key strings."""

    key: str
    backend: str
    interval: float
    fetch: Callable[[], Awaitable[T]]
    show: Callable[[Polled[T]], None]
    # False for a heavy, seldom job (a whole fleet read to count it): `r` leaves it be.
    on_refresh: bool = True


class Polled(Message, Generic[T]):
    """One poll's outcome (its answer or a typed error), posted to the screen that owns the job;
    the screen hands it to the job's `show`."""

    def __init__(self, job: PollJob[T], outcome: T | BackendError, asked: int = 0) -> None:
        super().__init__()
        self.job = job
        self.outcome = outcome
        self.asked = asked  # the Poller's ask number: which poll this answers

    @property
    def key(self) -> str:
        return self.job.key

    @property
    def backend(self) -> str:
        return self.job.backend

    @property
    def error(self) -> BackendError | None:
        return self.outcome if isinstance(self.outcome, BackendError) else None

    def deliver(self) -> None:
        self.job.show(self)

    def can_replace(self, message: Message) -> bool:
        # A newer result for the same job makes an undelivered older one pointless.
        return isinstance(message, Polled) and message.key == self.key


def backoff_delay(interval: float, failures: int) -> float:
    if failures <= 0:
        return interval
    delay = min(interval * (2.0 ** min(failures, 10)), MAX_BACKOFF_SECONDS)
    return delay * (0.8 + 0.4 * random.random())


class Poller:
    """Owns a screen's polling loops; the screen calls pause/resume/refresh_now/stop."""

    started = False

    def __init__(self, screen: Screen[Any], jobs: list[PollJob[Any]]) -> None:
        self.screen = screen
        self.jobs = jobs
        self._visible = asyncio.Event()
        self._wake: dict[str, asyncio.Event] = {job.key: asyncio.Event() for job in jobs}
        self.failures: dict[str, int] = {job.key: 0 for job in jobs}
        # Polls begun, over all jobs: each answer carries its number, so a test (or anyone)
        # can tell an answer to a poll asked after a moment from one already on its way.
        self.asked = 0

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self._visible.set()
        for job in self.jobs:
            self.screen.run_worker(
                async_work(partial(self._loop, job)),
                name=f"poll {job.key}",
                group=f"poll-{job.key}",
                exclusive=True,
                exit_on_error=False,
            )

    def pause(self) -> None:
        self._visible.clear()

    def resume(self) -> None:
        self._visible.set()

    def wake(self, key: str) -> None:
        """Poll one job now, whatever its kind (a screen that learns its list is behind)."""
        if key in self._wake:
            self._wake[key].set()

    def refresh_now(self) -> None:
        for job in self.jobs:
            if job.on_refresh:
                self._wake[job.key].set()

    async def _loop(self, job: PollJob[T]) -> None:
        while True:
            await self._visible.wait()
            self._wake[job.key].clear()
            await self._poll_once(job)
            delay = backoff_delay(job.interval, self.failures[job.key])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake[job.key].wait(), timeout=delay)

    async def _poll_once(self, job: PollJob[T]) -> None:
        self.asked += 1
        asked = self.asked
        try:
            value = await job.fetch()
        except BackendError as error:
            self.failures[job.key] += 1
            self.screen.post_message(Polled(job, error, asked))
        except asyncio.CancelledError:
            raise
        except Exception:  # a client bug must cost one poll, never the console
            log.exception("poll %s failed unexpectedly", job.key)
            self.failures[job.key] += 1
            failure = MalformedResponse(job.backend, "unexpected answer (details in the log)")
            self.screen.post_message(Polled(job, failure, asked))
        else:
            self.failures[job.key] = 0
            self.screen.post_message(Polled(job, value, asked))
            self._retry_siblings(job)

    def _retry_siblings(self, job: PollJob[Any]) -> None:
        """The backend answers again: its other jobs, still waiting out a backoff of up to a
        minute, ask now, or a page would say "down" under a status bar that says "ok"."""
        for other in self.jobs:
            if other.backend == job.backend and self.failures[other.key]:
                self._wake[other.key].set()
