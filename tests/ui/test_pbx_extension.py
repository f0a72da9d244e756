"""The extension view, the callgroup and conference tabs, several PBXes: as an operator uses
them, by keyboard only, over the real lab."""

from __future__ import annotations

import dataclasses
import re

from textual.widgets import Static

from noc_tui.api import Backends
from noc_tui.clock import SYSTEM_CLOCK
from noc_tui.sim.kalliope_world import ext_config, make_extensions
from noc_tui.ui.screens.pbx import PbxScreen
from noc_tui.ui.screens.pbx_callgroup import CallgroupDetail
from noc_tui.ui.screens.pbx_extension import PbxExtensionScreen
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import console, live_console, wait_until, widget_text


def screen_text(screen) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(widget_text(w) for w in screen.query(Static))


async def test_enter_opens_the_extension_with_secrets_masked(clean_lab) -> None:  # type: ignore[no-untyped-def]
    everyone = make_extensions(1)
    secrets = ext_config(1, everyone[0], everyone)
    app = live_console(clean_lab, start_screen="pbx")
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#pbx-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count >= 300)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PbxExtensionScreen))
        view = app.screen
        await wait_until(pilot, lambda: view.loaded)
        await pilot.pause()
        text = screen_text(view)
        assert "Extension 200" in text and "on PBX kalliope" in text
        assert any(word in text for word in ("✓ registered", "✗ unreachable", "? unknown"))
        for label in ("IP", "Port", "User agent", "RTT", "Voicemail", "Failover"):
            assert label in text
        assert re.search(r"SIP secret +•••••• set \(hidden\)", text)
        assert secrets.sip_secret not in text and secrets.gui_secret_md5 not in text
        assert re.search(r"VM PIN +•••••• set \(hidden\)", text)
        assert secrets.vm_secret not in text
        assert "new," in text and "old" in text  # the voicemail count
        assert "Reception" in text and "priority 1/" in text
        assert "Seen this session" in text and "nothing yet" not in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PbxScreen))
        assert app.screen.query_one("#pbx-table", LiveTable).cursor_key == "200"


async def test_callgroups_and_conferences_tabs_by_keyboard(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="pbx")
    async with app.run_test(size=(120, 40)) as pilot:
        groups = app.screen.query_one("#pbx-callgroups", LiveTable)
        rooms = app.screen.query_one("#pbx-conferences", LiveTable)
        await pilot.press("g")
        await wait_until(pilot, lambda: groups.row_count == 8 and groups.has_focus)
        names = [str(groups.get_row_at(i)[1]) for i in range(groups.row_count)]
        assert "R&D <lab>" in names and "Ventas España" in names
        await pilot.press("down", "enter")  # Reception
        await wait_until(pilot, lambda: isinstance(app.screen, CallgroupDetail))
        detail = widget_text(app.screen.query_one("#callgroup-detail", Static))
        assert "Reception" in detail and "Priority" in detail and "200" in detail
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PbxScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: rooms.row_count == 4 and rooms.has_focus)
        cells = [[str(cell) for cell in rooms.get_row_at(i)] for i in range(rooms.row_count)]
        assert ["Weekly <ops>", "yes", "802", "—", "none", "set"] in cells
        assert {c[4] for c in cells} | {c[5] for c in cells} == {"set", "none"}  # never a PIN
        await pilot.press("e")
        table = app.screen.query_one("#pbx-table", LiveTable)
        await wait_until(pilot, lambda: table.has_focus)
        await pilot.press("c", "slash", *"galli")  # from another tab; g and a are keys too
        await wait_until(pilot, lambda: 0 < table.row_count < 100)
        assert all("Galli" in str(table.get_row_at(i)[1]) for i in range(table.row_count))
        assert not isinstance(app.screen, CallgroupDetail) and isinstance(app.screen, PbxScreen)


async def test_several_pbxes_each_named_and_switched_with_p(clean_lab) -> None:  # type: ignore[no-untyped-def]
    config = clean_lab.config(poll_seconds=1)
    pbx = next(b for b in config.backends if b.kind == "kalliope")
    second = dataclasses.replace(pbx, name="pbx-branch")
    config = dataclasses.replace(config, backends=(*config.backends, second))
    app = console(config, Backends(config), clock=SYSTEM_CLOCK, start_screen="pbx")
    async with app.run_test(size=(120, 40)) as pilot:
        counts = app.screen.query_one("#pbx-counts", Static)
        table = app.screen.query_one("#pbx-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count >= 300)
        await wait_until(pilot, lambda: "pbx-branch ✓" in widget_text(counts))
        assert "▶ kalliope" in widget_text(counts) and "kalliope: 320 extensions" in widget_text(
            counts
        )
        await pilot.press("p")
        await wait_until(pilot, lambda: "▶ pbx-branch" in widget_text(counts))
        await wait_until(pilot, lambda: table.row_count >= 300)
        assert "pbx-branch: 320 extensions" in widget_text(counts)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PbxExtensionScreen))
        assert "on PBX pbx-branch" in widget_text(app.screen.query_one("#ext-head", Static))


async def test_api_v4_pbx_says_so_in_place(clean_lab) -> None:  # type: ignore[no-untyped-def]
    config = clean_lab.config(poll_seconds=1)
    config = dataclasses.replace(
        config,
        backends=tuple(
            dataclasses.replace(b, api_version=4) if b.kind == "kalliope" else b
            for b in config.backends
        ),
    )
    app = console(config, Backends(config), clock=SYSTEM_CLOCK, start_screen="pbx")
    async with app.run_test(size=(120, 40)) as pilot:
        counts = app.screen.query_one("#pbx-counts", Static)
        await wait_until(pilot, lambda: "API V4 not supported yet" in widget_text(counts))
        await pilot.press("g")
        note = app.screen.query_one("#pbx-groups-note", Static)
        await wait_until(pilot, lambda: "API V4 not supported yet" in widget_text(note))
        assert app.is_running


async def test_extension_view_says_when_the_pbx_goes_down_and_keeps_what_it_knew(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="pbx")
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#pbx-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count >= 300)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PbxExtensionScreen))
        view = app.screen
        await wait_until(pilot, lambda: view.loaded)
        error = view.query_one("#ext-error", Static)
        assert not error.display
        clean_lab.set_faults("kalliope", "down")
        try:
            await wait_until(pilot, lambda: error.display and "kalliope" in widget_text(error))
            assert "✗" in widget_text(error)
            assert "Extension 200" in widget_text(view.query_one("#ext-head", Static))
            assert "SIP secret" in widget_text(view.query_one("#ext-config", Static))
        finally:
            clean_lab.set_faults("kalliope", "")
        await wait_until(pilot, lambda: not error.display)
