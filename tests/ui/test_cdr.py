"""The call records screen: query with range and filters, details, export, follow, license
block and privacy masking, over the lab."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
from textual.app import App, ComposeResult

from noc_tui.api import Backends
from noc_tui.api.kalliope_cdr import Call
from noc_tui.clock import SYSTEM_CLOCK, FrozenClock
from noc_tui.secret import Secret
from noc_tui.sim import Lab
from noc_tui.sim.kalliope import PRIVACY_PASSWORD_MD5
from noc_tui.ui.app import NocApp
from noc_tui.ui.screens.cdr import CdrScreen
from noc_tui.ui.screens.cdr_detail import CallDetail
from noc_tui.ui.widgets.call_table import CallTable
from tests.ui.helpers import (
    SNAPSHOT_PORTS,
    console,
    lab_config_on_fixed_ports,
    live_console,
    wait_until,
    widget_text,
)


def frozen_cdr(license_ok: bool = True, privacy_md5: str | None = None) -> NocApp:
    """The console on a frozen lab through ASGI, opened on the call records."""
    clock = FrozenClock()
    lab = Lab(seed=1, cpes=20, clock=clock, kalliope_license_ok=license_ok)
    config = lab_config_on_fixed_ports(lab)
    if privacy_md5:
        backends = tuple(
            dataclasses.replace(b, privacy_password_md5=Secret(privacy_md5))
            if b.kind == "kalliope"
            else b
            for b in config.backends
        )
        config = dataclasses.replace(config, backends=backends)
    transports = {
        f"http://127.0.0.1:{port}": httpx.ASGITransport(app=lab.asgi_app(name))
        for name, port in SNAPSHOT_PORTS.items()
    }
    made = Backends(config, clock=clock, transports=transports)
    return console(config, made, clock=clock, start_screen="cdr")


def loaded(screen: CdrScreen) -> bool:
    return screen.query_now is not None and not screen.loading and "calls" in summary(screen)


def summary(screen: CdrScreen) -> str:
    return widget_text(screen.query_one("#cdr-summary"))


async def test_range_filters_details_and_export(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="cdr")
    async with app.run_test(size=(160, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        table = screen.query_one(CallTable)
        await pilot.press("y")
        await wait_until(pilot, lambda: loaded(screen) and screen.preset == "yesterday")
        everything = len(table.calls)
        assert everything > 100 and screen.tally.total == everything
        assert "answered" in summary(screen)
        await pilot.press("slash", *"from=-30h to=-2h status=answered called=2%", "enter")
        await wait_until(pilot, lambda: loaded(screen) and screen.spec.filters)
        query = screen.query_now
        assert query is not None and query.filters == {"status": "8", "called_num": "2%"}
        assert (query.end - query.begin).total_seconds() == 28 * 3600
        assert "custom:" in widget_text(screen.query_one("#cdr-query"))
        calls = table.calls
        assert calls and all(c.status_word == "answered" for c in calls)
        assert all(c.called_num.startswith("2") for c in calls)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CallDetail))
        assert calls[0].unique_id in widget_text(app.screen.query_one("#call-detail"))
        await pilot.press("escape")
        target = tmp_path / "calls.csv"
        await pilot.press("e", "ctrl+u", *str(target), "enter")
        await wait_until(pilot, lambda: target.exists() and target.stat().st_size > 0)
        await wait_until(pilot, lambda: len(target.read_text().splitlines()) - 1 == len(calls))
        assert target.read_text().startswith("id,unique_id")


async def test_bad_query_word_says_why_and_keeps_the_query() -> None:
    app = frozen_cdr()
    async with app.run_test(size=(120, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        await wait_until(pilot, lambda: loaded(screen))
        before = screen.query_now
        await pilot.press("slash", *"dir=sideways", "enter")
        await pilot.pause()
        assert screen.query_now == before
        assert any("dir=sideways" in str(n.message) for n in app._notifications)


async def test_follow_puts_new_calls_on_top_and_keeps_the_cursor() -> None:
    app = frozen_cdr()
    async with app.run_test(size=(120, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        table = screen.query_one(CallTable)
        await wait_until(pilot, lambda: loaded(screen))
        await pilot.press("down", "down", "down")
        chosen, top, count = table.cursor_call, table.calls[0], len(table.calls)
        await pilot.press("f")
        await wait_until(pilot, lambda: "following" in widget_text(screen.query_one("#cdr-query")))
        app.clock.advance(45 * 60)  # type: ignore[attr-defined]
        await pilot.press("r")  # what the follow timer does every poll_seconds
        await wait_until(pilot, lambda: len(table.calls) > count)
        new = len(table.calls) - count
        assert table.calls[new] == top  # the new calls sit above the old top
        assert all(c.start >= top.start for c in table.calls[:new])
        assert table.cursor_call == chosen and table.cursor == 3 + new
        assert "→ 2026-11-18 11:51 UTC" in widget_text(screen.query_one("#cdr-query"))
        assert screen.tally.total == len(table.calls) == len({c.key for c in table.calls})
        done = screen.follows_done
        await pilot.press("r")  # nothing new: nothing moves
        await wait_until(pilot, lambda: screen.follows_done > done)  # that ask was answered
        await pilot.pause()
        assert len(table.calls) == count + new and table.cursor_call == chosen


async def test_license_block_is_a_clear_state_not_an_error_dump() -> None:
    app = frozen_cdr(license_ok=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        await wait_until(pilot, lambda: screen.blocked is not None)
        await pilot.pause()
        line = summary(screen)
        assert "LICENSE MISSING on kalliope" in line and "code 1" in line
        assert "Traceback" not in line and "<" not in line
        table = screen.query_one(CallTable)
        assert not table.calls and "license missing" in table.empty_text
        pbx = app.backends.clients["kalliope"]
        asked = pbx.health.requests
        await pilot.press("f")  # following a blocked PBX asks nothing more
        await wait_until(pilot, lambda: screen.following)
        # The key was handled: any ask would have started a worker by now, and no timer is set.
        assert not [w for w in app.workers if w.group == "cdr-follow"]
        assert screen._follow_timer is None
        assert pbx.health.requests == asked


async def test_numbers_masked_without_privacy_password() -> None:
    app = frozen_cdr()
    async with app.run_test(size=(120, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        await wait_until(pilot, lambda: loaded(screen))
        assert "numbers masked" in widget_text(screen.query_one("#cdr-query"))
        inbound = [c for c in screen.query_one(CallTable).calls if c.direction == 1]
        assert inbound and all(c.caller_num.endswith("XXX") for c in inbound)


async def test_numbers_in_full_with_privacy_password() -> None:
    app = frozen_cdr(privacy_md5=PRIVACY_PASSWORD_MD5)
    async with app.run_test(size=(120, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        await wait_until(pilot, lambda: loaded(screen))
        assert "numbers in full" in widget_text(screen.query_one("#cdr-query"))
        inbound = [c for c in screen.query_one(CallTable).calls if c.direction == 1]
        assert inbound and all(c.caller_num[-3:].isdigit() for c in inbound)


def fake_calls(first: int, count: int) -> list[Call]:
    """Newest first: call `first` is the newest of the list."""
    return [
        Call(
            str(n), f"u{n}", 1, "+39123XXX", "", "201", "Ann", "", "", 8, 1, 2, f"s{n:06d}", "", ""
        )
        for n in range(first + count - 1, first - 1, -1)
    ]


class TableApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {"state-ok": "green", "state-degraded": "yellow", "state-down": "red"}

    def compose(self) -> ComposeResult:
        yield CallTable()


async def test_table_batches_keep_view_and_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(CallTable)
        table.focus()
        table.extend(fake_calls(1000, 50))
        await pilot.press("pagedown", "down")
        await pilot.pause()
        cursor, top = table.cursor_call, table.scroll_offset.y
        assert top > 0
        table.extend(fake_calls(0, 1000))  # older calls below: nothing on screen moves
        await pilot.pause()
        assert (table.cursor_call, table.scroll_offset.y) == (cursor, top)
        table.prepend(fake_calls(1050, 5))  # newer calls on top, view scrolled: same calls shown
        await pilot.pause()
        assert table.cursor_call == cursor and table.scroll_offset.y == top + 5
        await pilot.press("home")
        table.prepend(fake_calls(1055, 3))  # at the top: the new calls come into view
        await pilot.pause()
        assert table.scroll_offset.y == 0 and table.cursor_call == table.calls[3]


async def test_pbx_down_says_so_in_place(clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("kalliope", "down")
    app = live_console(clean_lab, start_screen="cdr")
    async with app.run_test(size=(120, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        await wait_until(pilot, lambda: summary(screen).startswith("✗"))
        assert "kalliope: unreachable" in summary(screen)
        assert "the query failed" in screen.query_one(CallTable).empty_text
        await pilot.press("5")  # the rest of the console keeps working
        assert app.current_mode == "pbx"


async def test_p_switches_to_the_next_pbx_and_asks_it_again(clean_lab) -> None:  # type: ignore[no-untyped-def]
    """Two PBXes; only the second has the privacy password, so its numbers come in full."""
    config = clean_lab.config(poll_seconds=5)
    pbx = next(b for b in config.backends if b.kind == "kalliope")
    branch = dataclasses.replace(
        pbx, name="pbx-branch", privacy_password_md5=Secret(PRIVACY_PASSWORD_MD5)
    )
    config = dataclasses.replace(config, backends=(*config.backends, branch))
    app = console(config, Backends(config), clock=SYSTEM_CLOCK, start_screen="cdr")
    async with app.run_test(size=(160, 40)) as pilot:
        screen: CdrScreen = app.screen  # type: ignore[assignment]
        query = screen.query_one("#cdr-query")
        await wait_until(pilot, lambda: loaded(screen))
        assert f"PBX {pbx.name} (p: next)" in widget_text(query)
        assert "numbers masked" in widget_text(query)
        await pilot.press("p")
        await wait_until(pilot, lambda: "PBX pbx-branch" in widget_text(query) and loaded(screen))
        assert "numbers in full" in widget_text(query)
        inbound = [c for c in screen.query_one(CallTable).calls if c.direction == 1]
        assert inbound and all(c.caller_num[-3:].isdigit() for c in inbound)
