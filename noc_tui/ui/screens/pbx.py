"""The PBX screen: every extension with its registration state, counts, filters, apply/revert;
tabs for callgroups and conferences; `enter` opens an extension. Several PBXes: `p` switches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from noc_tui.api.errors import BackendError
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.kalliope_models import (
    Callgroup,
    Conference,
    Extension,
    Registration,
    RegistrationHistory,
)
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_note
from noc_tui.ui.screens.base import (
    NocScreen,
    focus_now,
    open_over,
    search_key,
    slash_typed_in_a_box,
)
from noc_tui.ui.widgets.confirm import ConfirmAction
from noc_tui.ui.widgets.filter_box import FilterBox
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.pbx_format import (
    CONFERENCE_COLUMNS,
    GROUP_COLUMNS,
    STATUS_LOOK,
    callgroup_cells,
    conference_cells,
    rtt_text,
    status_text,
)
from noc_tui.ui.widgets.plain import Plain

COLUMNS = (
    Column("exten", "Ext", 6),
    Column("name", "Name", 24),
    Column("enabled", "On", 3),
    Column("status", "Status", 16),
    Column("rtt", "RTT", 7),
    Column("addr", "IP:port", 21),
    Column("ua", "User agent", 30),
)
TABS = ("pbx-tab-extensions", "pbx-tab-callgroups", "pbx-tab-conferences")
GROUPS_EVERY = 6  # callgroups and conferences change rarely: poll them every 6th period


@dataclass(frozen=True)
class PbxState:
    extensions: list[Extension]
    registrations: dict[str, Registration]
    pending: bool


@dataclass(frozen=True)
class PbxGroups:
    callgroups: list[Callgroup]
    conferences: list[Conference]


class PbxScreen(NocScreen):
    TITLE = "PBX"
    NAME = "pbx"
    BINDINGS = [
        search_key("filter", "Filter"),
        Binding("u", "unregistered", "Unregistered"),
        Binding("p", "next_pbx", "Next PBX"),
        Binding("a", "apply", "Apply"),
        Binding("v", "revert", "Revert"),
        Binding("e", "tab(0)", "Extensions", show=False),
        Binding("g", "tab(1)", "Callgroups", show=False),
        Binding("c", "tab(2)", "Conferences", show=False),
        Binding("left_square_bracket", "step_tab(-1)", "Prev tab", show=False),
        Binding("right_square_bracket", "step_tab(1)", "Next tab", show=False),
    ]
    CSS_PATH = "pbx.tcss"

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.text_filter = search or ""
        self.unregistered_only = False
        self.states: dict[str, PbxState] = {}
        self.groups: dict[str, PbxGroups] = {}
        self.errors: dict[str, str] = {}  # the last poll error per PBX, until it recovers
        self.histories: dict[str, RegistrationHistory] = {}
        self.pbx_index = 0
        self.filter_wanted = False

    @property
    def pbxes(self) -> list[KalliopeClient]:
        return [c for c in self.noc.backends.of_kind("kalliope") if isinstance(c, KalliopeClient)]

    @property
    def pbx(self) -> KalliopeClient | None:
        found = self.pbxes
        return found[self.pbx_index % len(found)] if found else None

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="pbx-counts")
        yield Plain("", id="pbx-banner", classes="hidden")
        yield FilterBox(
            self.text_filter,
            placeholder="filter: extension, name, IP, agent",
            id="pbx-filter",
            table="#pbx-table",
            classes="" if self.text_filter else "hidden",
            disabled=not self.text_filter,
        )
        with TabbedContent(id="pbx-tabs"):
            with TabPane("e Extensions", id=TABS[0]):
                yield LiveTable(id="pbx-table")
            with TabPane("g Callgroups", id=TABS[1]):
                yield Plain("", id="pbx-groups-note", classes="pbx-note")
                yield LiveTable(id="pbx-callgroups")
            with TabPane("c Conferences", id=TABS[2]):
                yield Plain("", id="pbx-conferences-note", classes="pbx-note")
                yield LiveTable(id="pbx-conferences")

    def on_mount(self) -> None:
        table = self.query_one("#pbx-table", LiveTable)
        table.set_columns(COLUMNS)
        self.query_one("#pbx-callgroups", LiveTable).set_columns(GROUP_COLUMNS)
        self.query_one("#pbx-conferences", LiveTable).set_columns(CONFERENCE_COLUMNS)
        table.focus()  # keys (u, a, v) go to the screen, not into the filter box
        if self.pbx is None:
            self.query_one("#pbx-counts", Static).update("No KalliopePBX backend is configured.")

    @property
    def state(self) -> PbxState | None:
        return self.states.get(self.pbx.name) if self.pbx else None

    def poll_jobs(self) -> list[PollJob[Any]]:
        # Every PBX is polled so switching is instant and the counts per PBX stay current.
        jobs: list[PollJob[Any]] = []
        for pbx in self.pbxes:
            every = pbx.settings.poll_seconds
            jobs.append(PollJob(f"pbx:{pbx.name}", pbx.name, every, _fetcher(pbx), self.show_state))
            groups_every = every * GROUPS_EVERY
            jobs.append(
                PollJob(
                    f"pbx-groups:{pbx.name}", pbx.name, groups_every, _groups(pbx), self.show_groups
                )
            )
        return jobs

    def show_state(self, polled: Polled[PbxState]) -> None:
        name, state = polled.backend, polled.outcome
        if isinstance(state, BackendError):
            self.errors[name] = state.title  # the table keeps the last good rows
        else:
            self.errors.pop(name, None)
            self.states[name] = state
            self._remember(name, state)
        self.redraw()

    def show_groups(self, polled: Polled[PbxGroups]) -> None:
        name, groups = polled.backend, polled.outcome
        if not isinstance(groups, BackendError):
            self.groups[name] = groups
        if self.pbx is not None and name == self.pbx.name:
            self.redraw_groups(polled.error)

    def _remember(self, name: str, state: PbxState) -> None:
        history = self.histories.setdefault(name, RegistrationHistory())
        now = self.noc.clock.now()
        for ext in state.extensions:
            history.record(ext.extension, state.registrations.get(ext.extension), now)

    def redraw(self) -> None:
        self.query_one("#pbx-counts", Static).update(self._counts())
        state = self.state
        if state is None:
            return
        banner = self.query_one("#pbx-banner", Static)
        banner.set_class(not state.pending, "hidden")
        banner.update("▲ pending changes on this PBX are not applied: a apply · v revert")
        table = self.query_one("#pbx-table", LiveTable)
        table.show(
            [
                self._row(ext, state.registrations.get(ext.extension))
                for ext in state.extensions
                if self._wanted(ext, state)
            ],
            keep=table.cursor_key,
        )

    def _counts(self) -> Text:
        """Which PBX the rows belong to, its counts by status; with several, each one's."""
        pbx, colours = self.pbx, self.app.theme_variables
        if pbx is None:
            return Text("No KalliopePBX backend is configured.")
        text = Text()
        if len(self.pbxes) > 1:
            text.append("PBX ")
            for other in self.pbxes:
                mark = "▶ " if other is pbx else "  "
                tally = _tally(self.states.get(other.name))
                text.append(f"{mark}{other.name}", style="bold reverse" if other is pbx else "")
                text.append(f" ✓{tally.get('OK', 0)} ✗{tally.get('UNREACHABLE', 0)}  ")
            text.append("(p next PBX)\n")
        state = self.state
        if state is None and self.errors.get(pbx.name):
            text.append(f"{pbx.name}: ✗ no answer yet")  # why: the line below
        elif state is None:
            text.append(f"{pbx.name}: … waiting for the first answer")
        else:
            tally = _tally(state)
            text.append(f"{pbx.name}: {len(state.extensions)} extensions", style="bold")
            for status in ("OK", "UNREACHABLE", "UNKNOWN", ""):
                symbol, word, variable = STATUS_LOOK[status]
                text.append(f"  {symbol} {tally.get(status, 0)} {word}", colours.get(variable, ""))
            if self.unregistered_only:
                text.append("  [unregistered only]")
            reading = reading_note(state.extensions, "extensions")
            if reading:
                text.append(f"\n{reading}", style=colours.get("warning", ""))
        error = self.errors.get(pbx.name)
        if error:
            text.append(f"\n✗ {error}", style=colours.get("error", ""))
        return text

    def redraw_groups(self, error: BackendError | None = None) -> None:
        pbx = self.pbx
        found = self.groups.get(pbx.name) if pbx else None
        groups = found.callgroups if found else []
        rooms = found.conferences if found else []
        self.query_one("#pbx-callgroups", LiveTable).show(
            [Row(g.id, callgroup_cells(g)) for g in groups]
        )
        self.query_one("#pbx-conferences", LiveTable).show(
            [Row(f"{i}:{r.name}", conference_cells(r)) for i, r in enumerate(rooms)]
        )
        where = pbx.name if pbx else "no PBX"
        if error is not None:
            note = f"✗ {error.title}"
        elif found is None:
            note = f"{where}: … waiting for the first answer"
        else:
            note = None
        self.query_one("#pbx-groups-note", Static).update(
            note or f"{where}: {len(groups)} callgroups; members ring by priority (1 first)"
        )
        self.query_one("#pbx-conferences-note", Static).update(
            note or f"{where}: {len(rooms)} conference rooms; PINs are never shown"
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
        status = status_text(reg.status if reg else "", self.app.theme_variables)
        rtt = rtt_text(reg)
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

    @on(DataTable.RowSelected, "#pbx-table")
    def _open_extension(self, event: DataTable.RowSelected) -> None:
        from noc_tui.ui.screens.pbx_extension import PbxExtensionScreen

        pbx, state, exten = self.pbx, self.state, str(event.row_key.value)
        if pbx is None or state is None:
            return
        brief = next((e for e in state.extensions if e.extension == exten), None)
        history = self.histories.setdefault(pbx.name, RegistrationHistory())
        screen = PbxExtensionScreen(pbx, exten, history, brief, state.registrations.get(exten))
        open_over(self, screen)

    @on(DataTable.RowSelected, "#pbx-callgroups")
    def _open_callgroup(self, event: DataTable.RowSelected) -> None:
        from noc_tui.ui.screens.pbx_callgroup import CallgroupDetail

        pbx, state = self.pbx, self.state
        found = self.groups.get(pbx.name) if pbx else None
        group = (
            next((g for g in found.callgroups if g.id == event.row_key.value), None)
            if found
            else None
        )
        if pbx is not None and group is not None:
            regs = state.registrations if state else {}
            open_over(self, CallgroupDetail(pbx.name, group, regs))

    @on(TabbedContent.TabActivated)
    def _focus_table(self) -> None:
        """The tab's table takes the keys at once: arrows and enter work without a click."""
        box = self.query_one("#pbx-filter", Input)
        if self.filter_wanted:  # `/` from another tab: the filter box keeps the keys
            self.filter_wanted = False
            box.focus()
            return
        tabs = self.query_one(TabbedContent)
        pane = tabs.get_pane(tabs.active) if tabs.active else None
        tables = pane.query(LiveTable) if pane is not None else None
        if tables:
            tables.first().focus()

    def action_tab(self, index: int) -> None:
        self.query_one(TabbedContent).active = TABS[index]

    def action_step_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + step) % len(TABS)]

    def action_filter(self) -> None:
        if slash_typed_in_a_box(self.app):
            return
        tabs = self.query_one(TabbedContent)
        self.filter_wanted = tabs.active != TABS[0]  # the tab switch would focus its table
        tabs.active = TABS[0]  # the filter narrows the extensions
        box = self.query_one("#pbx-filter", Input)
        box.remove_class("hidden")
        box.disabled = False
        focus_now(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.text_filter = event.value.strip()
        self.redraw()

    def action_unregistered(self) -> None:
        self.unregistered_only = not self.unregistered_only
        self.redraw()

    def action_next_pbx(self) -> None:
        if len(self.pbxes) > 1:
            self.pbx_index += 1
            self.query_one("#pbx-table", LiveTable).show([])
            self.redraw()
            self.redraw_groups()

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

        open_over(
            self, ConfirmAction(f"{verb.title()} pending changes", detail, verb.title()), answered
        )

    async def _change(self, pbx: KalliopeClient, verb: str) -> None:
        try:
            done = await (pbx.apply() if verb == "apply" else pbx.revert())
        except BackendError as error:
            self.notify(f"{verb} refused or failed: {error.title}", severity="error")
            return
        self.notify(f"{pbx.name}: {verb} {'done' if done else 'had nothing pending'}")
        self.refresh_data()


def _fetcher(pbx: KalliopeClient) -> Callable[[], Awaitable[PbxState]]:
    async def fetch() -> PbxState:
        extensions = await pbx.extensions()
        registrations = await pbx.registrations()
        pending = await pbx.pending()
        return PbxState(extensions, {r.extension: r for r in registrations}, pending)

    return fetch


def _groups(pbx: KalliopeClient) -> Callable[[], Awaitable[PbxGroups]]:
    async def fetch() -> PbxGroups:
        return PbxGroups(await pbx.callgroups(), await pbx.conferences())

    return fetch


def _tally(state: PbxState | None) -> dict[str, int]:
    """Extensions per registration status ("" = the PBX lists no registration)."""
    tally: dict[str, int] = {}
    for ext in state.extensions if state else []:
        reg = state.registrations.get(ext.extension) if state else None
        status = reg.status if reg else ""
        tally[status] = tally.get(status, 0) + 1
    return tally


def make_screen(search: str | None = None) -> NocScreen:
    return PbxScreen(search)
