"""Every screen against a lab whose every text field is hostile: markup, escape sequences,
C1 controls, bidi overrides, NUL, 10,000-character values, wide and emoji characters.

On each screen and view: no crash, no control character reaches the terminal, the markup
shows as typed (`[/]` visible), and no markup parser is ever handed the data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from noc_tui.secret import Secret
from noc_tui.sim import Lab
from noc_tui.sim.hostile import kind_for
from noc_tui.sim.kalliope_cdr import PRIVACY_PASSWORD_MD5
from noc_tui.ui.app import NocApp
from noc_tui.ui.screens.alert_ack import AckDialog
from noc_tui.ui.screens.alert_detail import AlertDetailScreen
from noc_tui.ui.screens.cdr import CdrScreen
from noc_tui.ui.screens.cdr_detail import CallDetail
from noc_tui.ui.screens.cpe_actions import ActionMenu
from noc_tui.ui.screens.cpe_view import CpeViewScreen
from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen
from noc_tui.ui.screens.librenms_port import PortGraphScreen
from noc_tui.ui.screens.openwisp_device import OpenWispDeviceScreen
from noc_tui.ui.screens.pbx_callgroup import CallgroupDetail
from noc_tui.ui.screens.pbx_extension import PbxExtensionScreen
from noc_tui.ui.widgets.call_table import CallTable
from noc_tui.ui.widgets.live_table import LiveTable
from noc_tui.ui.widgets.tile import Tile
from noc_tui.untrusted import clean
from tests.ui.helpers import live_console, poll_again, wait_until
from tests.ui.hostile_helpers import (
    assert_shown_plainly,
    drawn,
    markers_in,
    markup_guard,
    placeholders_in,
)
from tests.ui.wallboard_helpers import live_board

BACKENDS = ("krill", "librenms", "openwisp", "kalliope")
SIZE = (160, 50)


@pytest.fixture
def hostile_lab(clean_lab: Lab) -> Iterator[Lab]:
    for backend in BACKENDS:
        clean_lab.set_faults(backend, "hostile")
    yield clean_lab


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with markup_guard(monkeypatch) as watching:
        yield watching


async def shows_hostile(pilot: Pilot, where: str) -> str:  # type: ignore[type-arg]
    """Wait until the screen shows hostile text literally, then check every character."""
    await wait_until(pilot, lambda: bool(markers_in(drawn(pilot.app))), tries=600)
    await pilot.pause()
    return assert_shown_plainly(pilot.app, where)


def with_privacy(app: NocApp) -> NocApp:
    """The PBX's privacy password set, so the CDR carries outside callers' names."""
    settings = app.backends.clients["kalliope"].settings
    object.__setattr__(settings, "privacy_password_md5", Secret(PRIVACY_PASSWORD_MD5))
    return app


def table(app: NocApp, selector: str) -> LiveTable:
    return app.screen.query_one(selector, LiveTable)


async def open_marked_row(pilot: Pilot, found: LiveTable) -> None:  # type: ignore[type-arg]
    """Open a row that shows markup as text: its view must show it whole, as typed."""
    for index in range(found.row_count):
        if any(markers_in(str(cell)) for cell in found.get_row_at(index)):
            found.move_cursor(row=index)
            break
    else:
        pytest.fail("no row shows hostile markup")
    await pilot.press("enter")


async def rows(pilot: Pilot, selector: str) -> LiveTable:  # type: ignore[type-arg]
    found = table(pilot.app, selector)  # type: ignore[arg-type]
    await wait_until(pilot, lambda: found.row_count > 0, tries=600)
    return found


async def test_overview(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_console(hostile_lab)
    async with app.run_test(size=SIZE) as pilot:
        await rows(pilot, "#critical")
        await rows(pilot, "#recent-down")
        text = await shows_hostile(pilot, "overview")
        assert "Open alerts" in text and "Backend health" in text  # the layout stands
        tiles = list(app.screen.query(Tile))
        assert all(tile.size.height <= 9 for tile in tiles)  # a 10,000-char line stays one


async def test_overview_at_80_columns(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_console(hostile_lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await rows(pilot, "#recent-down")
        await wait_until(pilot, lambda: "Devices down" in drawn(app))
        assert_shown_plainly(app, "overview 80x24", needs_marker=False)


async def test_cpe_search_view_graphs_and_actions(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    # A CPE whose hostile name starts with `[/]`: it shows even in a narrow column.
    records = hostile_lab.sim("krill").world.records
    record = next(r for r in records if kind_for(r["cpename"]).name == "markup-close")
    app = live_console(hostile_lab, start_screen="cpes", search=record["sn"])
    async with app.run_test(size=SIZE) as pilot:
        await rows(pilot, "#results")
        await shows_hostile(pilot, "CPE results")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
        await shows_hostile(pilot, "CPE view")
        # Graphs: legends and titles name the CPE. From 46 rows they are open from the start
        # (`g` would hide them), so wait until they are laid out, then look.
        graphs = app.screen.query_one("#graphs")
        await wait_until(pilot, lambda: graphs.has_class("shown") and graphs.region.height > 0)
        await pilot.pause()  # flushes their paint
        assert_shown_plainly(app, "CPE graphs")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionMenu))
        assert_shown_plainly(app, "CPE actions")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))


async def test_alerts_detail_and_ack(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_console(hostile_lab, start_screen="alerts")
    async with app.run_test(size=SIZE) as pilot:
        alerts = await rows(pilot, "#alerts")
        await shows_hostile(pilot, "alerts")
        await open_marked_row(pilot, alerts)
        await wait_until(pilot, lambda: isinstance(app.screen, AlertDetailScreen))
        await wait_until(pilot, lambda: "loading the device" not in drawn(app))
        await shows_hostile(pilot, "alert detail")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, AlertDetailScreen))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckDialog))
        assert_shown_plainly(app, "ack dialog", needs_marker=False)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, AckDialog))


async def test_librenms_devices_device_and_port(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_console(hostile_lab, start_screen="devices")
    async with app.run_test(size=SIZE) as pilot:
        devices = await rows(pilot, "#lnms-devices")
        await shows_hostile(pilot, "LibreNMS devices")
        await open_marked_row(pilot, devices)
        await wait_until(pilot, lambda: isinstance(app.screen, LibreNmsDeviceScreen))
        await rows(pilot, "#lnms-ports")
        await shows_hostile(pilot, "LibreNMS device")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PortGraphScreen))
        await wait_until(pilot, lambda: "asking LibreNMS" not in drawn(app))
        assert_shown_plainly(app, "port graph", needs_marker=False)


async def test_openwisp_devices_and_device(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_console(hostile_lab, start_screen="openwisp")
    async with app.run_test(size=SIZE) as pilot:
        devices = await rows(pilot, "#ow-table")
        await shows_hostile(pilot, "OpenWISP devices")
        await open_marked_row(pilot, devices)
        await wait_until(pilot, lambda: isinstance(app.screen, OpenWispDeviceScreen))
        await shows_hostile(pilot, "OpenWISP device")


async def test_pbx_extensions_callgroups_conferences(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_console(hostile_lab, start_screen="pbx")
    async with app.run_test(size=SIZE) as pilot:
        extensions = await rows(pilot, "#pbx-table")
        await shows_hostile(pilot, "PBX extensions")
        await open_marked_row(pilot, extensions)
        await wait_until(pilot, lambda: isinstance(app.screen, PbxExtensionScreen))
        await wait_until(pilot, lambda: "loading" not in drawn(app))
        await shows_hostile(pilot, "extension view")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, PbxExtensionScreen))
        await pilot.press("g")
        groups = await rows(pilot, "#pbx-callgroups")
        await shows_hostile(pilot, "callgroups")
        await open_marked_row(pilot, groups)
        await wait_until(pilot, lambda: isinstance(app.screen, CallgroupDetail))
        await shows_hostile(pilot, "callgroup detail")
        await pilot.press("escape")
        await pilot.press("c")
        await rows(pilot, "#pbx-conferences")
        await pilot.pause()
        # Four rooms, none named with markup: their escapes show as placeholders.
        text = assert_shown_plainly(app, "conferences", needs_marker=False)
        assert placeholders_in(text)


@pytest.mark.parametrize("spec", ["hostile", "hostile=raw"])
async def test_cdr_and_a_call(hostile_lab: Lab, guard, spec: str) -> None:  # type: ignore[no-untyped-def]
    # raw: caller names byte for byte (ESC, NUL and all), which is no longer XML: every call
    # is still listed, each control byte shown as its picture.
    hostile_lab.set_faults("kalliope", spec)
    app = with_privacy(live_console(hostile_lab, start_screen="cdr"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CdrScreen)
        calls = screen.query_one(CallTable)
        await wait_until(pilot, lambda: bool(calls.calls), tries=600)
        assert_shown_plainly(app, "CDR", needs_marker=False)
        # An outside caller's name, as the PBX has it: the stranger wrote it.
        # One whose hostile kind leaves a visible trace (not only wide or combining letters,
        # which calls of the moment may all carry).
        named = next(
            i
            for i, c in enumerate(calls.calls)
            if c.direction == 1
            and c.caller_name
            and (markers_in(c.caller_name) or placeholders_in(clean(c.caller_name)))
        )
        calls.cursor = named
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CallDetail))
        text = assert_shown_plainly(app, "call detail", needs_marker=False)
        assert markers_in(text) or placeholders_in(text)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, CdrScreen))


async def test_wallboard_pages(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    app = live_board(hostile_lab, rotate=600)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = 0
        for page in range(5):
            await wait_until(pilot, lambda: "waiting" not in drawn(app).split("\n", 1)[-1][:400])
            await poll_again(pilot)  # the page's latest answers are drawn, then we look
            text = assert_shown_plainly(app, f"wallboard page {page + 1}", needs_marker=False)
            seen += bool(markers_in(text))
            await pilot.press("right")
        assert seen >= 2  # the alerts and down pages at least show the hostile names


async def test_a_name_that_cannot_be_typed_is_confirmed_by_its_id(hostile_lab: Lab, guard) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    from noc_tui.ui.widgets.confirm import TypedConfirm

    world = hostile_lab.sim("krill").world
    record = next(
        r
        for r in world.records
        if kind_for(r["cpename"]).name == "osc52-clipboard"
        and r["tech"] == "gpon"
        and r["id"] not in world.monitor.gone
    )
    app = live_console(hostile_lab, start_screen="cpes", search=record["sn"])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await rows(pilot, "#results")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
            view = app.screen
            await wait_until(pilot, lambda: view.details_loaded)  # type: ignore[attr-defined]
            await pilot.press("x")
            await wait_until(pilot, lambda: isinstance(app.screen, ActionMenu))
            menu = app.screen
            for _ in range(menu.actions.index("unprovision")):  # type: ignore[attr-defined]
                await pilot.press("down")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirm))
            await pilot.pause()
            text = assert_shown_plainly(app, "typed confirm", needs_marker=False)
            assert "Its name cannot be typed as shown: type the CPE id" in text
            assert f"CPE id ({record['id']})" in text
            box = app.screen.query_one("#typed-name", Input)
            box.value = record["cpename"]  # the raw name, escape and all: not what is asked
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TypedConfirm) and record["id"] not in world.monitor.gone
            box.value = str(record["id"])
            await pilot.press("enter")
            await wait_until(pilot, lambda: record["id"] in world.monitor.gone, tries=600)
    finally:
        world.monitor.gone.discard(record["id"])
