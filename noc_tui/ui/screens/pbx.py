"""The PBX screen: every extension with its registration state, counts, filters, apply/revert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.kalliope_models import Extension, Registration
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.widgets.confirm import ConfirmAction
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row

# Symbol, word and theme variable per registration status: never colour alone.
STATUS_LOOK = {
    "OK": ("✓", "registered", "state-ok"),
    "UNREACHABLE": ("✗", "unreachable", "state-down"),
    "UNKNOWN": ("?", "unknown", "state-degraded"),
    "": ("·", "not registered", "state-unknown"),
}
COLUMNS = (
    Column("exten", "Ext", 6),
    Column("name", "Name", 24),
    Column("enabled", "On", 3),
    Column("status", "Status", 16),
    Column("rtt", "RTT", 7),
    Column("addr", "IP:port", 21),
    Column("ua", "User agent", 30),
)


@dataclass(frozen=True)
class PbxState:
    extensions: list[Extension]
    registrations: dict[str, Registration]
    pending: bool


class PbxScreen(NocScreen):
    TITLE = "PBX"
    NAME = "pbx"
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("u", "unregistered", "Unregistered"),
        Binding("p", "next_pbx", "Next PBX"),
        Binding("a", "apply", "Apply"),
        Binding("v", "revert", "Revert"),
    ]
    DEFAULT_CSS = """
    PbxScreen #pbx-banner { background: $warning; color: $background; height: auto; }
    PbxScreen #pbx-banner.hidden, PbxScreen #pbx-filter.hidden { display: none; }
    PbxScreen #pbx-counts { height: 1; }
    """

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.text_filter = search or ""
        self.unregistered_only = False
        self.states: dict[str, PbxState] = {}
        self.pbx_index = 0

    @property
    def pbxes(self) -> list[KalliopeClient]:
        return [c for c in self.noc.backends.of_kind("kalliope") if isinstance(c, KalliopeClient)]

    @property
    def pbx(self) -> KalliopeClient | None:
        found = self.pbxes
        return found[self.pbx_index % len(found)] if found else None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="pbx-counts")
        yield Static("", id="pbx-banner", classes="hidden")
        yield Input(
            self.text_filter,
            placeholder="filter: extension, name, IP, agent",
            id="pbx-filter",
            classes="" if self.text_filter else "hidden",
            disabled=not self.text_filter,
        )
        yield LiveTable(id="pbx-table")

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        table.set_columns(COLUMNS)
        table.focus()  # keys (u, a, v) go to the screen, not into the filter box
        if self.pbx is None:
            self.query_one("#pbx-counts", Static).update("No KalliopePBX backend is configured.")
        super().on_mount()

    @property
    def state(self) -> PbxState | None:
        return self.states.get(self.pbx.name) if self.pbx else None

    def poll_jobs(self) -> list[PollJob[Any]]:
        # Every PBX is polled so switching is instant and the counts per PBX stay current.
        return [
            PollJob(f"pbx:{pbx.name}", pbx.name, pbx.settings.poll_seconds, _fetcher(pbx))
            for pbx in self.pbxes
        ]

    def polled(self, message: Polled) -> None:
        counts = self.query_one("#pbx-counts", Static)
        if self.pbx is None or message.backend != self.pbx.name:
            if message.error is None:
                self.states[message.backend] = message.value
            return
        if message.error is not None:
            counts.update(
                Text(
                    f"✗ {message.backend}: {message.error.title}",
                    style=self.app.theme_variables.get("error", ""),
                )
            )
            return
        self.states[message.backend] = message.value
        self.redraw()

    def redraw(self) -> None:
        state = self.state
        if state is None:
            return
        tally: dict[str, int] = {}
        for ext in state.extensions:
            reg = state.registrations.get(ext.extension)
            status = reg.status if reg else ""
            tally[status] = tally.get(status, 0) + 1
        parts = [f"{self.pbx.name if self.pbx else ''}: {len(state.extensions)} extensions"]
        for status in ("OK", "UNREACHABLE", "UNKNOWN", ""):
            symbol, word, _ = STATUS_LOOK[status]
            parts.append(f"{symbol} {tally.get(status, 0)} {word}")
        if self.unregistered_only:
            parts.append("[unregistered only]")
        if len(self.pbxes) > 1:
            parts.append(f"(p: PBX {self.pbx_index % len(self.pbxes) + 1}/{len(self.pbxes)})")
        self.query_one("#pbx-counts", Static).update("  ".join(parts))
        banner = self.query_one("#pbx-banner", Static)
        banner.set_class(not state.pending, "hidden")
        banner.update("▲ pending changes on this PBX are not applied: a apply · v revert")
        table = self.query_one(LiveTable)
        table.show(
            [
                self._row(ext, state.registrations.get(ext.extension))
                for ext in state.extensions
                if self._wanted(ext, state)
            ],
            keep=table.cursor_key,
        )

    def _wanted(self, ext: Extension, state: PbxState) -> bool:
        reg = state.registrations.get(ext.extension)
        if self.unregistered_only and reg is not None and reg.status == "OK":
            return False
        if not self.text_filter:
            return True
        needle = self.text_filter.lower()
        hay = [ext.extension, ext.name]
        if reg:
            hay += [reg.address, reg.user_agent]
        return any(needle in part.lower() for part in hay)

    def _row(self, ext: Extension, reg: Registration | None) -> Row:
        symbol, word, variable = STATUS_LOOK.get(reg.status if reg else "", STATUS_LOOK["UNKNOWN"])
        status = Text(f"{symbol} {word}", style=self.app.theme_variables.get(variable, ""))
        rtt = f"{reg.rtt_ms:g} ms" if reg and reg.rtt_ms is not None else "—"
        return Row(
            ext.extension,
            (
                ext.extension,
                ext.name,
                "yes" if ext.enabled else "no",
                status,
                rtt,
                reg.address if reg else "",
                reg.user_agent if reg else "",
            ),
        )

    def action_filter(self) -> None:
        box = self.query_one("#pbx-filter", Input)
        box.remove_class("hidden")
        box.disabled = False
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.text_filter = event.value.strip()
        self.redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(LiveTable).focus()

    def action_unregistered(self) -> None:
        self.unregistered_only = not self.unregistered_only
        self.redraw()

    def action_next_pbx(self) -> None:
        if len(self.pbxes) > 1:
            self.pbx_index += 1
            self.query_one(LiveTable).show([])
            self.redraw()

    def action_apply(self) -> None:
        self._confirm("apply")

    def action_revert(self) -> None:
        self._confirm("revert")

    def _confirm(self, verb: str) -> None:
        pbx = self.pbx
        if pbx is None:
            return
        detail = f"{verb.title()} the pending configuration changes on {pbx.name}? " + (
            "They become operational." if verb == "apply" else "They are discarded."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(
                    self._change(pbx, verb), group="pbx-change", exclusive=True, exit_on_error=False
                )

        self.app.push_screen(
            ConfirmAction(f"{verb.title()} pending changes", detail, verb.title()), answered
        )

    async def _change(self, pbx: KalliopeClient, verb: str) -> None:
        try:
            done = await (pbx.apply() if verb == "apply" else pbx.revert())
        except BackendError as error:
            self.notify(f"{verb} refused or failed: {error.title}", severity="error")
            return
        self.notify(f"{pbx.name}: {verb} {'done' if done else 'had nothing pending'}")
        self.refresh_data()


def _fetcher(pbx: KalliopeClient):  # type: ignore[no-untyped-def]
    async def fetch() -> PbxState:
        extensions = await pbx.extensions()
        registrations = await pbx.registrations()
        pending = await pbx.pending()
        return PbxState(extensions, {r.extension: r for r in registrations}, pending)

    return fetch


def make_screen(search: str | None = None) -> NocScreen:
    return PbxScreen(search)
