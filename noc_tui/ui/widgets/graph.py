"""A time graph on plotext: lines, threshold lines, a unit on the axis. Reusable by any screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual_plotext import PlotextPlot

from noc_tui.untrusted import one_line

LABEL_CELLS = 40
#: Tick steps in seconds: round numbers an operator reads at a glance.
TICK_STEPS: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
TICK_STEPS += (7200, 10800, 21600, 43_200, 86_400, 172_800, 604_800)  # a wallboard left for weeks
MOST_TICKS = 5


def time_ticks(span: float) -> tuple[list[float], list[str]]:
    """Tick positions (seconds before now, so <= 0) and their labels ("now",
    "5 min ago"): left to plotext, one sample (span ~0) read "-0.0000117 minutes ago"."""
    span = max(span, 60.0)  # however few samples, the axis spans a minute at least
    step = next((s for s in TICK_STEPS if span / s <= MOST_TICKS - 1), TICK_STEPS[-1])
    count = int(span // step)
    ticks = [-float(k * step) for k in range(count, -1, -1)]
    labels = [_ago(k * step) for k in range(count, -1, -1)]
    return ticks, labels


def _ago(seconds: float) -> str:
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return f"{seconds:g} s ago"
    if seconds < 3600:
        return f"{seconds / 60:g} min ago"
    if seconds < 172_800:
        return f"{seconds / 3600:g} h ago"
    return f"{seconds / 86_400:g} d ago"


@dataclass(frozen=True)
class Line:
    label: str
    xs: tuple[float, ...]  # unix seconds
    ys: tuple[float, ...]
    # A different marker per line tells them apart without colour (mono theme).
    marker: str = "braille"


@dataclass(frozen=True)
class Limit:
    label: str
    value: float


class TimeGraph(PlotextPlot):
    """Call `show(...)`; x is drawn as time before `now`, ticks saying so ("5 min ago")."""

    DEFAULT_CSS = """
    TimeGraph { height: 12; min-height: 8; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: tuple[Line, ...] = ()
        self.limits: tuple[Limit, ...] = ()

    @property
    def points(self) -> int:
        """How many data points are plotted (tests and the bench look at this)."""
        return sum(len(line.xs) for line in self.lines)

    def show(
        self,
        title: str,
        unit: str,
        lines: Sequence[Line],
        limits: Sequence[Limit],
        now: float,
        from_zero: bool = False,
    ) -> None:
        """`from_zero`: the y axis starts at 0 (rates), not at the lowest value (levels)."""
        self.lines, self.limits = tuple(lines), tuple(limits)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        span = max((now - min(line.xs) for line in lines if line.xs), default=0.0)
        ticks, labels = time_ticks(span)
        plt.xticks(ticks, labels)
        plt.xlim(ticks[0], 0)
        plotted = False
        for line in lines:
            if line.xs:
                xs = [x - now for x in line.xs]  # seconds before now; the ticks say it in words
                label = one_line(line.label, LABEL_CELLS)  # series names come from the backend
                plt.plot(xs, list(line.ys), label=label, marker=line.marker)
                plotted = True
        values = [y for line in lines for y in line.ys]
        if from_zero and values:
            plt.ylim(0, max(values) * 1.05 or 1)
        for limit in limits:
            # Only thresholds near the data: a -29 dBm line would squash a -20 dBm trace flat.
            if values and min(values) - 6 <= limit.value <= max(values) + 6:
                plt.hline(limit.value, "gray")
        title = one_line(title, 2 * LABEL_CELLS)  # it names a CPE or a port
        plt.title(title if plotted else f"{title}: no data yet")
        plt.ylabel(unit)
        self.refresh()
