"""One port's live bandwidth: in/out bits per second, a point per LibreNMS poll.

The port's stats are a poll job like any other (paused when hidden, backed off on failure,
cancelled with the screen); the history is a bounded `PortSamples`, not the chart's.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from noc_tui.api.errors import BackendError
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Device, Port, PortSamples, PortStats
from noc_tui.ui.format import label_grid
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.widgets.graph import Line, TimeGraph
from noc_tui.ui.widgets.librenms_format import bps_scale, port_status_text, rate_text, speed_text
from noc_tui.ui.widgets.plain import Plain

HISTORY_POINTS = 720  # 60 hours at LibreNMS's 300 s; never more, however long it stays open


class PortGraphScreen(NocScreen):
    TITLE = "LibreNMS port"
    NAME = "devices"
    BINDINGS = [Binding("escape", "back", "Back")]
    CSS_PATH = "librenms_port.tcss"

    def __init__(self, client: LibreNmsClient, device: Device, port: Port) -> None:
        super().__init__()
        self.client = client
        self.device = device
        self.port = port
        self.history = PortSamples(HISTORY_POINTS)

    @property
    def job_key(self) -> str:
        return f"librenms:port:{self.device.id}:{self.port.name}"

    def compose_body(self) -> ComposeResult:
        with Vertical():
            yield Plain(f"{self.device.name}  {self.port.name}", id="port-head")
            yield Plain("", id="port-message")
            yield Plain("… asking LibreNMS for this port", id="port-now")
            yield TimeGraph(id="port-graph")

    def on_mount(self) -> None:
        self._say("")
        self._draw()

    def poll_jobs(self) -> list[PollJob[Any]]:
        return [
            PollJob(
                self.job_key,
                self.client.name,
                self.client.settings.poll_seconds,
                self._fetch,
                self.show_stats,
            )
        ]

    async def _fetch(self) -> PortStats:
        return await self.client.port_stats(self.device.hostname, self.port.name)

    def show_stats(self, polled: Polled[PortStats]) -> None:
        stats = polled.outcome
        if isinstance(stats, BackendError):
            self._say(f"✗ {stats.title}: the graph keeps what it had")
            return
        self._say("")
        self.port = stats.port
        self.history.add(stats)  # a point only when LibreNMS polled again
        self._show_now(stats)
        self._draw()  # every time all the same: the axis counts seconds ago from now

    # -- showing --------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        box = self.query_one("#port-message", Static)
        box.update(text)
        box.display = bool(text)

    def _show_now(self, stats: PortStats) -> None:
        p, colours = stats.port, self.app.theme_variables
        period = stats.poll_period or 300
        stamp = (
            time.strftime("%H:%M:%S", time.localtime(stats.poll_time)) if stats.poll_time else "?"
        )
        rows: list[tuple[str, str | Text]] = [
            ("Status", port_status_text(p, colours)),
            ("Alias", p.alias or "—"),
            ("Now", f"in {rate_text(p.in_bps)}   out {rate_text(p.out_bps)}"),
            ("Speed", speed_text(p.speed_bps) + _utilisation(p)),
            (
                "Polled",
                f"{stamp} by LibreNMS, every {period} s: a new point per poll"
                f" ({len(self.history)} so far)",
            ),
        ]
        self.query_one("#port-now", Static).update(label_grid(rows))

    def _draw(self) -> None:
        samples = list(self.history.samples)
        xs = tuple(float(s.poll_time) for s in samples)
        scale, unit = bps_scale([max(s.in_bps, s.out_bps) for s in samples])
        lines = [
            Line("in", xs, tuple(s.in_bps / scale for s in samples)),
            Line("out", xs, tuple(s.out_bps / scale for s in samples), marker="•"),
        ]
        title = f"{self.port.name}: bits per second in and out"
        graph = self.query_one(TimeGraph)
        now = self.noc.clock.now()
        graph.show(title, unit, lines, [], now, from_zero=True)


def _utilisation(port: Port) -> str:
    if port.speed_bps <= 0:
        return ""
    busiest = max(port.in_bps, port.out_bps) / port.speed_bps * 100
    return f"   busiest direction {busiest:.0f} % of line rate"
