"""Each poll job's answers reach the handler named in the job, and only that one: a screen
with several jobs never has to tell their results apart by a key string."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen

from noc_tui.api.errors import BackendError, MalformedResponse, Unreachable
from noc_tui.ui.poll import Polled, Poller, PollJob
from tests.ui.helpers import wait_until


class Board(Screen[None]):
    def on_polled(self, message: Polled[Any]) -> None:
        message.deliver()  # what NocScreen does


async def test_every_answer_goes_to_its_own_jobs_handler() -> None:
    counts: list[object] = []
    names: list[object] = []
    calls = 0

    async def count() -> int:
        return 42

    async def name() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise Unreachable("librenms", "connection refused")
        if calls == 2:
            raise KeyError("a client bug")  # must cost one poll, typed as ours
        return "olt-01"

    def got_count(polled: Polled[int]) -> None:
        counts.append(polled.outcome)

    def got_name(polled: Polled[str]) -> None:
        names.append(polled.outcome)

    jobs: list[PollJob[Any]] = [
        PollJob("count", "librenms", 0.05, count, got_count),
        PollJob("name", "librenms", 0.05, name, got_name),
    ]

    class Console(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Board())
            self.poller = Poller(self.screen, jobs)
            self.poller.start()

    app = Console()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: "olt-01" in names and len(counts) >= 2)
    assert set(counts) == {42}
    assert isinstance(names[0], Unreachable)
    assert isinstance(names[1], MalformedResponse)
    assert "unexpected answer" in names[1].title
    assert all(isinstance(n, BackendError) or n == "olt-01" for n in names)
