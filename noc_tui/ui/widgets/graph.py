"""A time graph on plotext: lines, threshold lines, a unit on the axis. Reusable by any screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual_plotext import PlotextPlot

from noc_tui.untrusted import one_line

LABEL_CELLS = 40


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
    """Call `show(...)`; x is drawn as minutes (or hours) before `now`."""

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
        seconds_below: float = 0.0,
    ) -> None:
        """`from_zero`: the y axis starts at 0 (rates), not at the lowest value (levels);
        `seconds_below`: a span shorter than this reads in seconds, not fractions of a minute."""
        self.lines, self.limits = tuple(lines), tuple(limits)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        span = max((now - min(line.xs) for line in lines if line.xs), default=0.0)
        scale, axis = (3600.0, "hours ago") if span > 3 * 3600 else (60.0, "minutes ago")
        if span < seconds_below:
            scale, axis = 1.0, "seconds ago"
        plotted = False
        for line in lines:
            if line.xs:
                xs = [(x - now) / scale for x in line.xs]
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
        plt.xlabel(axis)
        self.refresh()
