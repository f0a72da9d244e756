"""TimeGraph's time axis: ticks in words ("now", "1 min ago"), whatever the span."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult

from noc_tui.ui.widgets.graph import Line, TimeGraph
from tests.ui.helpers import wait_until

NOW = 1_800_000_000.0
TICK = re.compile(r"now|\d+(\.\d+)? (s|min|h|d) ago")


class GraphApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TimeGraph(id="g")


def axis_text(graph: TimeGraph) -> str:
    return str(graph.render().plain)  # type: ignore[union-attr]


async def test_one_sample_reads_now_not_a_tiny_negative_float() -> None:
    # One sample 0.7 ms old: the axis used to read "-0.0000117 minutes ago".
    app = GraphApp()
    async with app.run_test(size=(100, 16)) as pilot:
        graph = app.query_one(TimeGraph)
        graph.show("port", "b/s", [Line("in", (NOW - 0.0007,), (5.0,))], [], NOW, True)
        await wait_until(pilot, lambda: graph.points == 1)
        text = axis_text(graph)
        assert "now" in text and "1 min ago" in text, text
        assert "-0." not in text and "e-" not in text and "minutes ago" not in text, text


async def test_an_hour_of_samples_reads_in_round_steps() -> None:
    app = GraphApp()
    async with app.run_test(size=(100, 16)) as pilot:
        graph = app.query_one(TimeGraph)
        xs = tuple(NOW - 60 * k for k in range(60, -1, -1))
        graph.show("cpe", "dBm", [Line("rx", xs, tuple(-20.0 for _ in xs))], [], NOW)
        await wait_until(pilot, lambda: graph.points == 61)
        text = axis_text(graph)
        axis = next(line for line in text.splitlines() if "now" in line)
        assert axis.split() == ["1", "h", "ago", "45", "min", "ago", "30", "min", "ago"] + [
            "15",
            "min",
            "ago",
            "now",
        ], axis


def test_ticks_are_round_and_few_for_any_span() -> None:
    from noc_tui.ui.widgets.graph import time_ticks

    for span in (0.0, 0.5, 59, 61, 299, 300, 1800, 3 * 3600, 86_400, 7 * 86_400):
        ticks, labels = time_ticks(span)
        assert ticks[-1] == 0 and labels[-1] == "now"
        assert all(TICK.fullmatch(label) for label in labels), labels
        assert 2 <= len(ticks) <= 6 and ticks == sorted(ticks), (span, ticks)
