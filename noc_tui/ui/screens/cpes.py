"""The CPE screen: one search box for any identifier, merged results, `enter` opens the CPE.

The search runs the identifier queries concurrently (the client merges them); more pages load
as the cursor nears the end; each row's live state is asked for in the background.
"""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from noc_tui.api.errors import BackendError, NotFound
from noc_tui.api.krill import KrillClient, SearchResult
from noc_tui.api.krill_models import Cpe, MonitoringInfo
from noc_tui.ui.format import truncate
from noc_tui.ui.screens.base import (
    NocScreen,
    focus_now,
    open_over,
    search_key,
    slash_typed_in_a_box,
)
from noc_tui.ui.widgets.cpe_format import cpe_state_text
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.work import async_work

COLUMNS = (
    Column("name", "Name", 12),
    Column("serial", "Serial", 16),
    Column("model", "Model", 10),
    Column("tech", "Tech", 6),
    Column("realm", "Realm", 9),
    Column("customer", "Customer", 22),
    Column("state", "State", 14),
)
# Below 100 columns: what identifies the CPE and its state, nothing that would push State off.
COMPACT = (
    Column("name", "Name", 10),
    Column("serial", "Serial", 13),
    Column("model", "Model", 9),
    Column("customer", "Customer", 18),
    Column("state", "State", 12),
)
COMPACT_BELOW = 100
MORE_WHEN_WITHIN = 5  # rows from the end
STATES_PER_PAGE = 25  # live states asked for per loaded page, not for thousands of rows


class CpesScreen(NocScreen):
    TITLE = "CPEs"
    NAME = "cpes"
    CSS_PATH = "cpes.tcss"
    # Focus starts on the table so the screen keys (1-6, q) keep working; `/` goes to the box.
    AUTO_FOCUS = "#results"
    BINDINGS = [
        search_key("focus_search", "Search"),
        Binding("escape", "leave_search", "Back", show=False),
    ]

    def __init__(self, search: str | None = None) -> None:
        super().__init__()
        self.initial = search
        self.result: SearchResult | None = None
        self.cpes: dict[str, Cpe] = {}
        self.states: dict[int, MonitoringInfo | None] = {}
        self.more: list[str] = []

    @property
    def client(self) -> KrillClient | None:
        clients = self.noc.backends.of_kind("krill")
        first = clients[0] if clients else None
        return first if isinstance(first, KrillClient) else None

    def compose_body(self) -> ComposeResult:
        yield Input(
            placeholder="Serial, name, external id, MAC, PPPoE user, realm… (/ to focus)",
            id="search",
        )
        yield Plain("Type an identifier and press enter.", id="search-status")
        yield LiveTable(id="results")

    @property
    def columns(self) -> tuple[Column, ...]:
        return COMPACT if (self.app.size.width or 80) < COMPACT_BELOW else COLUMNS

    def on_resize(self) -> None:
        table = self.query_one("#results", LiveTable)
        if table.columns and len(table.columns) == len(self.columns):
            return
        cursor = table.cursor_key
        table.show([])  # old cells do not fit the new columns
        table.set_columns(self.columns)
        self._show_rows()
        if cursor is not None and cursor in self.cpes:
            table.move_cursor(row=table.get_row_index(cursor))

    def on_mount(self) -> None:
        self.query_one("#results", LiveTable).set_columns(self.columns)
        if self.client is None:
            self._status("No Krill backend is configured: add one to the config file.")
        if self.initial:
            self.query_one("#search", Input).value = self.initial
            self.start_search(self.initial)

    def action_focus_search(self) -> None:
        if slash_typed_in_a_box(self.app):
            return
        focus_now(self.query_one("#search", Input))

    def action_leave_search(self) -> None:
        """escape in the box returns to the table; elsewhere it is the console's Back."""
        if self.query_one("#search", Input).has_focus:
            self.query_one("#results", LiveTable).focus()
        else:
            self.noc.go_back()

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(text)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.start_search(event.value)

    def start_search(self, text: str) -> None:
        text = text.strip().lstrip("/")  # `/` pressed again while in the box
        if not text:
            self._status("Empty search: type a serial, a name, an id, a MAC or a PPPoE user.")
            return
        client = self.client
        if client is None:
            return
        self._status(f"Searching for {text.strip()!r}…")
        self.run_worker(
            async_work(partial(self._search, client, text)),
            group="cpe-search",
            exclusive=True,
            exit_on_error=False,
        )

    async def _search(self, client: KrillClient, text: str) -> None:
        try:
            result = await client.search(text)
        except BackendError as error:
            self._status(f"Search failed: {error.title}")
            return
        self.result, self.more = result, list(result.more)
        self.cpes, self.states = {}, {}
        self.query_one("#results", LiveTable).show([])
        self._add(result.cpes)
        if not result.cpes:
            self._status(f"No CPE matches {text.strip()!r}.")
        else:
            self._summarise()
            table = self.query_one("#results", LiveTable)
            table.move_cursor(row=0)
            table.focus()
        for failure in result.errors:
            self.notify(f"Part of the search failed: {failure.title}", severity="warning")
        await self._fetch_states(client, list(result.cpes[:STATES_PER_PAGE]))

    def _summarise(self) -> None:
        text = self.result.text.strip() if self.result else ""
        shown = len(self.cpes)
        more = " (more as you scroll)" if self.more else ""
        self._status(
            f"{shown} CPE{'s' if shown != 1 else ''} for {text!r}{more}. enter opens the CPE."
        )

    def _add(self, cpes: tuple[Cpe, ...]) -> None:
        for cpe in cpes:
            self.cpes.setdefault(str(cpe.id), cpe)
        self._show_rows()

    def _show_rows(self) -> None:
        colours = self.app.theme_variables
        columns = self.columns
        rows = []
        for key, cpe in self.cpes.items():
            if cpe.id in self.states:
                state = cpe_state_text(self.states[cpe.id], colours)
            else:
                state = Text("… checking")
            customer = (
                cpe.customer.name
                if cpe.customer
                else (str(cpe.customer_id) if cpe.customer_id else "—")
            )
            cells: dict[str, str | Text] = {
                "name": cpe.name,
                "serial": cpe.vendor_serial or cpe.serial or "—",
                "model": cpe.model or "—",
                "tech": cpe.tech or "—",
                "realm": cpe.realm or "—",
                "customer": customer,
                "state": state,
            }
            rows.append(
                Row(
                    key,
                    tuple(
                        truncate(customer, c.width or 20) if c.key == "customer" else cells[c.key]
                        for c in columns
                    ),
                )
            )
        self.query_one("#results", LiveTable).show(rows)

    async def _fetch_states(self, client: KrillClient, cpes: list[Cpe]) -> None:
        async def one(cpe: Cpe) -> None:
            try:
                self.states[cpe.id] = await client.info(cpe.id)
            except NotFound:
                self.states[cpe.id] = None
            except BackendError:
                return

        await asyncio.gather(*(one(cpe) for cpe in cpes))
        self._show_rows()

    @on(DataTable.RowHighlighted, "#results")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one("#results", LiveTable)
        keys = list(self.cpes)[event.cursor_row : event.cursor_row + STATES_PER_PAGE]
        unknown = [self.cpes[k] for k in keys if self.cpes[k].id not in self.states]
        if unknown and self.client is not None:  # the rows the operator scrolls to
            self.run_worker(
                async_work(partial(self._fetch_states, self.client, unknown)),
                group="cpe-states",
                exclusive=True,
                exit_on_error=False,
            )
        if self.more and event.cursor_row >= table.row_count - MORE_WHEN_WITHIN:
            client = self.client
            if client is not None:
                self.run_worker(
                    async_work(partial(self._load_more, client)),
                    group="cpe-more",
                    exclusive=True,
                    exit_on_error=False,
                )

    async def _load_more(self, client: KrillClient) -> None:
        link = self.more.pop(0) if self.more else None
        if link is None:
            return
        try:
            page = await client.next_page(link)
        except BackendError as error:
            self.more.insert(0, link)
            self._status(f"Loading more failed: {error.title}")
            return
        if page.next:
            self.more.append(page.next)
        self._add(page.cpes)
        self._summarise()
        await self._fetch_states(client, list(page.cpes[:STATES_PER_PAGE]))

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        # Imported on first use: plotext would otherwise slow every console start.
        from noc_tui.ui.screens.cpe_view import CpeViewScreen

        cpe = self.cpes.get(str(event.row_key.value))
        client = self.client
        if cpe is not None and client is not None:
            open_over(self, CpeViewScreen(client, cpe))


def make_screen(search: str | None = None) -> NocScreen:
    return CpesScreen(search)


__all__ = ["CpesScreen", "make_screen"]
