"""One CPE: identity, live status, alarms, txrx against thresholds, service ports, graphs, actions.

The live part is a poll job (paused when hidden, backed off on failure); identity and the
monitoring host are read once; history ranges are fetched by a worker on `h`/`d`/`w`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from noc_tui.api.errors import ActionRefused, BackendError, NotFound
from noc_tui.api.krill import ACTIONS, KrillClient
from noc_tui.api.krill_models import Cpe, HostInfo, MonitoringInfo, Series
from noc_tui.ui.format import label_grid
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.base import NocScreen, open_over
from noc_tui.ui.screens.cpe_actions import ActionMenu
from noc_tui.ui.widgets.confirm import ConfirmAction, TypedConfirm
from noc_tui.ui.widgets.cpe_format import (
    alarm_text,
    cpe_state_text,
    rate_text,
    state_word,
    uptime_text,
    value_text,
    verdict_text,
)
from noc_tui.ui.widgets.graph import Limit, Line, TimeGraph
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.work import async_work

RING_POINTS = 360  # an hour of 10-second polls
LEVELS = ("dnrx", "uprx", "uptx")
ATTENUATION = ("dnatt", "upatt")
OPTICAL = LEVELS + ATTENUATION
RANGES = {
    "l": ("live", None),
    "h": ("1 hour", "1h"),
    "d": ("24 hours", "24h"),
    "w": ("7 days", "7d"),
}
TXRX_COLUMNS = (
    Column("metric", "Metric", 8),
    Column("value", "Value", 8),
    Column("unit", "Unit", 4),
    Column("thresholds", "Thresholds", 22),
    Column("verdict", "Verdict", 14),
)
PORT_COLUMNS = (
    Column("id", "Port", 6),
    Column("user_vlan", "User VLAN", 9),
    Column("service_vlan", "Svc VLAN", 8),
    Column("native", "Native", 6),
    Column("inbound", "In table", 12),
    Column("outbound", "Out table", 12),
)
GRAPHS_FROM_HEIGHT = 46


class CpeViewScreen(NocScreen):
    TITLE = "CPE"
    NAME = "cpes"
    CSS_PATH = "cpe_view.tcss"
    BINDINGS = [
        Binding("g", "toggle_graphs", "Graphs"),
        Binding("l", "range('l')", "Live", show=False),
        Binding("h", "range('h')", "1h", show=False),
        Binding("d", "range('d')", "24h", show=False),
        Binding("w", "range('w')", "7d", show=False),
        Binding("x", "actions", "Actions"),
    ]

    def __init__(self, client: KrillClient, cpe: Cpe) -> None:
        super().__init__()
        self.client = client
        self.cpe = cpe
        self.host: HostInfo | None = None
        self.info: MonitoringInfo | None = None
        self.info_error: BackendError | None = None
        self.ring: dict[str, deque[tuple[float, float]]] = {
            m: deque(maxlen=RING_POINTS) for m in (*OPTICAL, "dnbw", "upbw")
        }
        self.range_key = "l"
        self.history: dict[str, Series] = {}
        self.watching: tuple[str, str] | None = None  # (action, state when sent)
        self.message = ""
        self.details_loaded = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="cpe-body"):
            yield Plain(self.cpe.name, id="cpe-head")
            yield Plain("", id="cpe-message")
            with Horizontal(id="cpe-top"):
                yield Plain("", id="identity")
                yield Plain("", id="status")
            yield Plain("Alarms", classes="section")
            yield Plain("", id="alarms")
            yield Plain("Optical levels (txrx)", classes="section")
            yield LiveTable(id="txrx")
            yield Plain("Service ports", classes="section")
            yield LiveTable(id="ports")
            with Vertical(id="graphs"):
                yield Plain("", id="graph-title", classes="section")
                with Horizontal(id="graph-row"):
                    yield TimeGraph(id="graph-txrx")
                    yield TimeGraph(id="graph-att")
                    yield TimeGraph(id="graph-bw")

    def poll_jobs(self) -> list[PollJob[Any]]:
        interval = self.client.settings.poll_seconds
        key = f"cpe-info:{self.cpe.id}"
        return [PollJob(key, self.client.name, interval, self._fetch_info, self.show_info)]

    async def _fetch_info(self) -> MonitoringInfo | None:
        try:
            return await self.client.info(self.cpe.id)
        except NotFound:
            return None  # no monitoring data: said in place, not a backend failure

    def on_mount(self) -> None:
        self.query_one("#txrx", LiveTable).set_columns(TXRX_COLUMNS)
        self.query_one("#ports", LiveTable).set_columns(PORT_COLUMNS)
        if self.app.size.height >= GRAPHS_FROM_HEIGHT:
            self.query_one("#graphs").add_class("shown")
        self._show_identity()
        self.run_worker(
            async_work(self._load_details), group="cpe-details", exclusive=True, exit_on_error=False
        )

    async def _load_details(self) -> None:
        # Both at once: the list row already names the monitoring host.
        cpe, host = await asyncio.gather(
            self.client.cpe(self.cpe.id),
            self.client.host(self.cpe.host_name),
            return_exceptions=True,
        )
        if isinstance(cpe, Cpe):
            self.cpe = cpe
        elif isinstance(cpe, BackendError):
            self._say(f"CPE details: {cpe.title}")
        # Without a host the actions follow the CPE's links alone.
        self.host = host if isinstance(host, HostInfo) else None
        self.details_loaded = True
        self._show_identity()

    def show_info(self, polled: Polled[MonitoringInfo | None]) -> None:
        info = polled.outcome
        if isinstance(info, BackendError):
            self.info_error = info
            self._say(f"Live status: {info.title} (showing the last values)")
            return
        self.info_error = None
        self.info = info
        if self.info is None:
            self._say("No monitoring data for this CPE (unprovisioned or not monitored yet)")
        elif self.message.startswith(("Live status", "No monitoring")):
            self._say("")
        self._record_live()
        self._watch_action()
        self._show_live()

    # -- rendering -------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message = text
        self.query_one("#cpe-message", Static).update(text)

    def _show_identity(self) -> None:
        c = self.cpe
        customer = c.customer
        host_customer = (self.host.customer_name if self.host else None) or "—"
        realm = f"{c.realm or '—'}   profile {c.speed_profile or '—'} {c.line_profile or ''}"
        if self.host and self.host.profile_name:
            realm += f"  ({self.host.profile_name})"
        pots = ", ".join(p.number for p in c.pots) or "none"
        rows = [
            ("Model", f"{c.model or '—'}  ({c.tech or '—'})"),
            ("Serial", f"{c.vendor_serial or '—'}  {c.serial or ''}"),
            ("Realm", realm),
            ("Customer", customer.name if customer else host_customer),
            ("Address", customer.address if customer else (c.address or "—")),
            ("Ext. id", f"{c.external_id or '—'}   PPPoE {c.pppoe_username or '—'}"),
            ("POTS", pots + (f"   VoIP {c.voip_profile}" if c.voip_profile else "")),
        ]
        self.query_one("#identity", Static).update(label_grid(rows))
        self.query_one("#cpe-head", Static).update(
            f"{c.name}  ·  {c.model or '?'}  ·  {c.vendor_serial or c.serial or '?'}"
        )

    def _show_live(self) -> None:
        colours = self.app.theme_variables
        info = self.info
        rows: list[tuple[str, str | Text]] = [("State", cpe_state_text(info, colours))]
        if info is not None:
            reg = info.registration
            rows += [
                ("Uptime", uptime_text(info.uptime_seconds) if info.online else "—"),
                ("IPs", ", ".join(info.ips) or "—"),
                ("OLT", f"{reg.olt or '—'}  PON {reg.pon or '—'}"),
                ("Reg.", ", ".join(reg.states) or "—"),
                ("Traffic", f"↓ {rate_text(info.down_kbps)}  ↑ {rate_text(info.up_kbps)}"),
                ("Profile", f"{info.line_profile or '—'} / {info.service_profile or '—'}"),
            ]
        status = label_grid(rows)
        self.query_one("#status", Static).update(status)
        alarms = Text("\n").join(
            alarm_text(a.level, a.name, colours) for a in (info.alarms if info else ())
        )
        self.query_one("#alarms", Static).update(alarms if alarms.plain else "✓ none")
        readings = [
            Row(
                r.metric,
                (
                    r.metric,
                    value_text(r),
                    r.unit or "—",
                    r.thresholds.text,
                    verdict_text(r.verdict, colours),
                ),
            )
            for r in (info.readings if info else ())
        ]
        self.query_one("#txrx", LiveTable).show(readings)
        ports = [
            Row(
                str(p.id),
                (
                    str(p.id),
                    _n(p.user_vlan),
                    _n(p.service_vlan),
                    _n(p.native_vlan),
                    p.inbound or "—",
                    p.outbound or "—",
                ),
            )
            for p in (info.service_ports if info else ())
        ]
        self.query_one("#ports", LiveTable).show(ports)
        if self.range_key == "l":
            self._draw_graphs()

    def _record_live(self) -> None:
        info = self.info
        if info is None or not info.online:
            return
        now = self.noc.clock.now()
        for reading in info.readings:
            if reading.metric in self.ring and reading.value is not None and reading.plausible:
                self.ring[reading.metric].append((now, reading.value))
        for metric, value in (("dnbw", info.down_kbps), ("upbw", info.up_kbps)):
            if value is not None:
                self.ring[metric].append((now, value / 1000))

    def _lines(self, metrics: tuple[str, ...]) -> list[Line]:
        if self.range_key == "l":
            source = {m: list(self.ring[m]) for m in metrics}
        else:
            source = {
                m: [
                    (t, v / 1000 if m in ("dnbw", "upbw") else v) for t, v in self.history[m].points
                ]
                if m in self.history
                else []
                for m in metrics
            }
        return [
            Line(m, tuple(t for t, _ in pts), tuple(v for _, v in pts)) for m, pts in source.items()
        ]

    def _draw_graphs(self) -> None:
        if not self.query_one("#graphs").has_class("shown"):
            return
        now = self.noc.clock.now()
        label = RANGES[self.range_key][0]
        self.query_one("#graph-title", Static).update(
            f"Graphs: {label}   (l live · h 1 hour · d 24 hours · w 7 days)"
        )
        self.query_one("#graph-txrx", TimeGraph).show(
            "optical levels", "dBm", self._lines(LEVELS), self._limits("dnrx"), now
        )
        self.query_one("#graph-att", TimeGraph).show(
            "attenuation", "dB", self._lines(ATTENUATION), self._limits("upatt"), now
        )
        self.query_one("#graph-bw", TimeGraph).show(
            "bandwidth", "Mb/s", self._lines(("dnbw", "upbw")), [], now
        )

    def _limits(self, metric: str) -> list[Limit]:
        reading = self.info.reading(metric) if self.info else None
        return [Limit(f"{metric} {v:g}", v) for v in reading.thresholds.values] if reading else []

    # -- keys ------------------------------------------------------------------------------

    def action_toggle_graphs(self) -> None:
        self.query_one("#graphs").toggle_class("shown")
        self._draw_graphs()

    def action_range(self, key: str) -> None:
        self.range_key = key
        self.query_one("#graphs").add_class("shown")
        if key == "l":
            self._draw_graphs()
            return
        self.run_worker(
            async_work(partial(self._load_history, RANGES[key][1] or "1h")),
            group="cpe-history",
            exclusive=True,
            exit_on_error=False,
        )

    async def _load_history(self, start: str) -> None:
        host = self.cpe.host_name
        try:
            graphs = await self.client.graphs(host, "txrx") + await self.client.graphs(host)
            self.history = await self.client.datasets(host, graphs, start)
        except BackendError as error:
            self._say(f"History: {error.title}")
            return
        self._draw_graphs()

    def action_actions(self) -> None:
        offered = self.client.offered_actions(self.cpe, self.host)
        if not offered:
            self._say("No actions are offered for this CPE")
            return
        if self.noc.backends.read_only:
            # Still through the session: it refuses and writes the refusal to the audit log.
            action = "reboot" if "reboot" in offered else offered[0]
            self.run_worker(
                async_work(partial(self._run_action, action)),
                group="cpe-action",
                exclusive=True,
                exit_on_error=False,
            )
            return
        open_over(self, ActionMenu(self.cpe.name, offered), self._chosen)

    def _chosen(self, action: str | None) -> None:
        if not action:
            return
        words, typed = ACTIONS[action]
        title = f"{action} {self.cpe.name}?"
        detail = f"{words}.\nCPE {self.cpe.name} (id {self.cpe.id}) on {self.client.name}."
        modal: ConfirmAction = (
            TypedConfirm(title, detail, self.cpe.name, action.title(), ident=str(self.cpe.id))
            if typed
            else ConfirmAction(title, detail, action.title())
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(
                    async_work(partial(self._run_action, action)),
                    group="cpe-action",
                    exclusive=True,
                    exit_on_error=False,
                )
            else:
                self._say(f"{action}: cancelled, nothing sent")

        self.app.push_screen(modal, confirmed)

    async def _run_action(self, action: str) -> None:
        try:
            outcome = await self.client.run_action(self.cpe, action)
        except ActionRefused as error:
            self._say(f"{action} refused: {error.detail}")
            self.notify(f"{action} refused: {error.detail}", severity="warning")
            return
        except BackendError as error:
            self._say(f"{action} failed: {error.title}")
            self.notify(f"{action} failed: {error.title}", severity="error")
            return
        before = state_word(self.info) if self.info else "unknown"
        self.watching = (action, before)
        stamp = time.strftime("%H:%M:%S", time.localtime(self.noc.clock.now()))
        self._say(f"{action} {outcome.status} at {stamp}: watching the next polls")
        self.notify(outcome.message, title=f"{action} {outcome.status}")
        self.refresh_data()

    def _watch_action(self) -> None:
        if not self.watching:
            return
        action, before = self.watching
        now_word = state_word(self.info) if self.info else "no monitoring"
        if now_word != before:
            self._say(f"{action}: state went {before} → {now_word}")
            if now_word == "online" or (action == "unprovision" and self.info is None):
                self.watching = None


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)
