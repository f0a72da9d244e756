"""How fast a failing backend is asked again: slower each time, never in a tight loop, and
never so slow that a wall misses its recovery by minutes."""

from __future__ import annotations

from textual.app import App

from noc_tui.api.errors import Unreachable
from noc_tui.ui.poll import Poller, PollJob, backoff_delay
from tests.ui.helpers import wait_until


def test_backoff_grows_then_stops_at_about_a_minute() -> None:
    delays = [backoff_delay(1.0, failures) for failures in range(12)]
    assert delays[0] == 1.0  # no failure: the poll period itself
    assert 1.6 <= delays[1] <= 2.4 and 3.2 <= delays[2] <= 4.8  # doubling, ±20 % jitter
    assert all(48 <= d <= 72 for d in delays[7:])  # capped: a recovery shows within ~a minute


def test_a_failing_slow_job_keeps_about_its_own_period() -> None:
    assert all(48 <= backoff_delay(60.0, n) <= 72 for n in range(1, 12))  # ±20 % jitter


async def test_one_answer_ends_the_backoff_of_the_backends_other_jobs() -> None:
    """A wall page must not say "down" for another minute once its backend answers again."""
    backend_up = False
    asked: dict[str, int] = {"alerts": 0, "devices": 0}

    def job(key: str, interval: float) -> PollJob[str]:
        async def fetch() -> str:
            asked[key] += 1
            if not backend_up:
                raise Unreachable("librenms", "connection refused")
            return key

        return PollJob(key, "librenms", interval, fetch, lambda polled: None)

    class Board(App[None]):
        def on_mount(self) -> None:
            # devices polls rarely: once failing, its backoff is a minute
            self.poller = Poller(self.screen, [job("alerts", 0.2), job("devices", 60.0)])
            self.poller.start()

    app = Board()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: asked["devices"] == 1 and asked["alerts"] >= 2)
        backend_up = True
        await wait_until(pilot, lambda: asked["devices"] == 2)
        assert app.poller.failures == {"alerts": 0, "devices": 0}
