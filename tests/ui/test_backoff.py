"""How fast a failing backend is asked again: slower each time, never in a tight loop, and
never so slow that a wall misses its recovery by minutes."""

from __future__ import annotations

from noc_tui.ui.poll import backoff_delay


def test_backoff_grows_then_stops_at_about_a_minute() -> None:
    delays = [backoff_delay(1.0, failures) for failures in range(12)]
    assert delays[0] == 1.0  # no failure: the poll period itself
    assert 1.6 <= delays[1] <= 2.4 and 3.2 <= delays[2] <= 4.8  # doubling, ±20 % jitter
    assert all(48 <= d <= 72 for d in delays[7:])  # capped: a recovery shows within ~a minute


def test_a_failing_slow_job_keeps_about_its_own_period() -> None:
    assert all(48 <= backoff_delay(60.0, n) <= 72 for n in range(1, 12))  # ±20 % jitter
