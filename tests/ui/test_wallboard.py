"""The wallboard: it rotates, pauses, steps, refuses every other key, and rides out an outage."""

from __future__ import annotations

from noc_tui.sim import Lab
from noc_tui.ui.screens.wallboard import RING_POINTS, WallboardScreen
from noc_tui.ui.widgets.live_table import LiveTable
from noc_tui.ui.widgets.status_bar import BackendStatusBar
from noc_tui.ui.widgets.tile import Tile
from tests.ui.helpers import tile_text, wait_for_first_polls, wait_until
from tests.ui.wallboard_helpers import frozen_board, live_board


def board(app) -> WallboardScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, WallboardScreen)
    return app.screen


async def test_it_rotates_through_every_page_and_wraps() -> None:
    app = frozen_board(rotate=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        assert [p.id for p in screen.pages] == ["overview", "alerts", "down", "pbx", "cpes"]
        seen: set[str] = set()
        await wait_until(pilot, lambda: seen.add(screen.page.id) or len(seen) == 5)
        await wait_until(pilot, lambda: screen.rotations >= 6)  # came round again
        assert app.screen is screen


async def test_space_pauses_and_arrows_step() -> None:
    app = frozen_board(rotate=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await pilot.press("space")
        assert screen.paused
        index, ticks = screen.index, screen.rotation_ticks
        await wait_until(pilot, lambda: screen.rotation_ticks >= ticks + 3)
        assert screen.index == index  # three beats of the rotation timer went by, paused
        assert "paused" in str(screen.query_one("#wall-head").content)
        await pilot.press("right")
        assert screen.index == (index + 1) % 5
        await pilot.press("left", "left")
        assert screen.index == (index - 1) % 5
        await pilot.press("space")
        assert not screen.paused
        await wait_until(pilot, lambda: screen.index != (index - 1) % 5)


async def test_every_other_key_does_nothing_and_says_so() -> None:
    app = frozen_board(rotate=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await wait_for_first_polls(pilot)
        for key in ("a", "1", "3", "r", "question_mark", "ctrl+p", "escape", "enter", "x", "u"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
            assert len(app.screen_stack) == 1, key
            note = screen.query_one(BackendStatusBar).note
            assert "does nothing" in note, key
        assert app.backends.read_only


async def test_the_down_page_lists_every_device_down_with_its_whole_name() -> None:
    down: list[str] = []

    def twelve_down(lab: Lab) -> None:
        devices = lab.sim("librenms").world.devices
        for device in devices[:12]:
            device["status"], device["status_reason"] = 0, "icmp"
        down.extend(d["hostname"] for d in devices if d["status"] == 0)

    app = frozen_board(rotate=60, prepare=twelve_down)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await wait_for_first_polls(pilot)
        await pilot.press("right", "right")
        assert screen.page.id == "down"
        table = screen.query_one("#wall-down", LiveTable)
        hosts = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert sorted(hosts) == sorted(down)  # all of them, whole: the overview's list stops at 8
        assert str(screen.query_one("#down-note").content).startswith(f"{len(down)} devices")


async def test_the_alerts_page_writes_severities_as_the_alerts_screen_does() -> None:
    """`✓ ok`, and `? emergency` for a severity LibreNMS may add: symbol and word, never `·`."""

    def an_emergency(lab: Lab) -> None:
        world = lab.sim("librenms").world
        alerts = world.alerts.values() if isinstance(world.alerts, dict) else world.alerts
        open_rule = next(a["rule_id"] for a in alerts if a["state"] != 0)
        next(r for r in world.rules if r["id"] == open_rule)["severity"] = "emergency"

    app = frozen_board(rotate=60, prepare=an_emergency)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await wait_for_first_polls(pilot)
        await pilot.press("right")
        assert screen.page.id == "alerts"
        table = screen.query_one("#wall-alerts", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        badges = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert "? emergency" in badges and "✓ ok" in badges, badges
        assert not any(b.startswith("·") for b in badges)


async def test_widgets_do_not_pile_up_over_rotations() -> None:
    app = frozen_board(rotate=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await wait_for_first_polls(pilot)
        await wait_until(pilot, lambda: screen.rotations >= 5)
        count = len(list(screen.query("*")))
        await wait_until(pilot, lambda: screen.rotations >= 25)
        assert len(list(screen.query("*"))) == count
        for rings in screen.rings.values():
            assert all(ring.maxlen == RING_POINTS for ring in rings.values())


async def test_a_backend_down_shows_down_and_comes_back_by_itself(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_board(clean_lab, rotate=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        alerts = next(t for t in screen.query(Tile) if t.data.key == "alerts:librenms")
        await wait_until(pilot, lambda: alerts.data.updated is not None)
        clean_lab.set_faults("librenms", "down")
        await wait_until(pilot, lambda: alerts.data.error != "")
        assert "✗ down" in tile_text(alerts).splitlines()[-1]
        assert alerts.has_class("-stale")  # the last counts stay, dimmed and marked
        await pilot.press("right")  # the alerts page says so too
        assert "✗ down" in str(screen.query_one("#alerts-note").content)
        await pilot.press("left")
        clean_lab.set_faults("librenms", "")
        # No key pressed: the poller's backoff brings it back on its own.
        await wait_until(pilot, lambda: alerts.data.error == "", tries=900)
        assert not alerts.has_class("-stale")
        assert "updated" in tile_text(alerts).splitlines()[-1]


async def test_watched_cpe_graphs_start_with_an_hour_of_history() -> None:
    app = frozen_board(rotate=60)  # read-only, as every wallboard: history is a read
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await wait_until(pilot, lambda: len(screen.rings) == 2)
        await wait_until(pilot, lambda: all(len(r["dnrx"]) > 10 for r in screen.rings.values()))
        for _ in range(4):
            await pilot.press("right")
        assert screen.page.id == "cpes"
        graph = screen.query_one("#cpe-graph-0")
        assert graph.points > 30  # type: ignore[attr-defined]


async def test_old_data_is_dimmed_and_marked_stale() -> None:
    app = frozen_board(rotate=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        alerts = next(t for t in screen.query(Tile) if t.data.key == "alerts:librenms")
        await wait_until(pilot, lambda: alerts.data.updated is not None)
        assert screen.poller is not None
        screen.poller.pause()  # no answer comes any more, as with a hung backend
        app.clock.advance(16)  # type: ignore[attr-defined]  # > three 5-second polls
        screen.refresh_view()
        await pilot.pause()
        assert alerts.has_class("-stale")
        assert "◌ stale" in tile_text(alerts).splitlines()[-1]
        await pilot.press("right")
        assert "◌ stale" in str(screen.query_one("#alerts-note").content)
        assert screen.query_one("#wall-alerts").has_class("-stale")


async def test_pbx_page_lists_what_is_not_registered() -> None:
    app = frozen_board(rotate=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = board(app)
        await wait_until(pilot, lambda: screen.data.pbx["kalliope"].value is not None)
        counts = screen.data.pbx["kalliope"].value
        assert counts is not None
        for _ in range(3):
            await pilot.press("right")
        assert screen.page.id == "pbx"
        table = screen.query_one("#wall-pbx-missing")
        assert table.row_count == min(counts.missing, 40)  # type: ignore[attr-defined]
        row = screen.query_one("#wall-pbx").get_row("kalliope")  # type: ignore[attr-defined]
        assert str(counts.missing) in [str(cell) for cell in row]
        note = str(screen.query_one("#pbx-missing-note").render())  # type: ignore[attr-defined]
        if counts.missing > 40:  # a cut list says so, with the true total
            assert f"40 of {counts.missing:,} shown" in note, note
