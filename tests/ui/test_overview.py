"""The overview's tiles: what they count, where `enter` takes you, a backend down and back."""

from __future__ import annotations

from noc_tui.ui.screens.overview import OverviewScreen
from noc_tui.ui.widgets.tile import Tile, big_digits
from tests.ui.helpers import (
    frozen_console,
    live_console,
    poll_again,
    tile_text,
    wait_for_first_polls,
    wait_until,
)
from tests.ui.wallboard_helpers import frozen_board


def tile(app, key: str) -> Tile:  # type: ignore[no-untyped-def]
    found = [t for t in app.screen.query(Tile) if t.data.key == key]
    assert found, f"no tile {key}: {[t.data.key for t in app.screen.query(Tile)]}"
    return found[0]


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for_first_polls(pilot)
    await wait_until(pilot, lambda: all(t.data.updated for t in app.screen.query(Tile)), tries=600)
    await pilot.pause()


async def test_tiles_count_what_the_lab_holds() -> None:
    app = frozen_board(wallboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clients = app.backends.clients
        alerts = [a for a in await clients["librenms"].alerts() if a.state != 0]
        devices = await clients["librenms"].devices()
        fleet = await clients["openwisp"].devices()
        registrations = await clients["kalliope"].registrations()
        extensions = await clients["kalliope"].extensions()

        critical = sum(1 for a in alerts if a.severity == "critical")
        assert tile(app, "alerts:librenms").data.count == str(len(alerts))
        assert tile(app, "alerts:librenms").data.word == f"{critical} critical"
        down = [d for d in devices if not d.up and not d.disabled]
        assert tile(app, "devices:librenms").data.count == str(len(down))
        errors = sum(1 for d in fleet if d.config_status == "error")
        assert tile(app, "openwisp:openwisp").data.count == str(errors)
        enabled = {e.extension for e in extensions if e.enabled}
        ok = {r.extension for r in registrations if r.status == "OK"} & enabled
        pbx = tile(app, "pbx:kalliope").data
        assert pbx.count == str(len(ok))
        assert pbx.word == f"{len(enabled) - len(ok)} not registered"
        assert int(tile(app, "calls:kalliope").data.count) >= 0
        cpes = tile(app, "cpes:krill").data
        assert len(cpes.lines) == 2 and cpes.updated is not None
        assert tile(app, "health").data.word.startswith("all ok")
        # What the operator reads: the big count and the state in words.
        alerts_tile = tile(app, "alerts:librenms")
        shown = tile_text(alerts_tile).splitlines()
        assert shown[1:4] == big_digits(str(len(alerts)))
        assert f"✗ {critical} critical" in shown


async def test_enter_on_a_tile_opens_its_screen_filtered() -> None:
    app = frozen_console()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expectations = [
            ("alerts:librenms", "alerts", lambda s: s.severity_filter == "critical"),
            ("devices:librenms", "devices", lambda s: s.panes[0].down_only),
            ("openwisp:openwisp", "devices", lambda s: s.panes[1].status == "error"),
            ("pbx:kalliope", "pbx", lambda s: s.unregistered_only),
            ("calls:kalliope", "cdr", lambda s: s.preset == "hour"),
        ]
        for key, mode, check in expectations:
            await pilot.press("1")
            await pilot.pause()
            tile(app, key).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.current_mode == mode, key
            assert check(app.screen), key
        # the devices screen shows its down-only filter on the LibreNMS tab
        await pilot.press("1")
        tile(app, "devices:librenms").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("TabbedContent").active == "source-librenms"


async def test_same_data_repaints_nothing_and_focus_stays() -> None:
    app = frozen_console()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        second = list(app.screen.query(Tile))[1]
        second.focus()
        await pilot.pause()  # the focus move repaints both tiles once; that is not a poll
        repaints: list[str] = []
        for widget in app.screen.query(Tile):
            original = widget.render

            def counted(_widget=widget, _original=original):  # type: ignore[no-untyped-def]
                repaints.append(_widget.data.key)
                return _original()

            widget.render = counted  # type: ignore[method-assign]
        await poll_again(pilot)  # every tile's job answered again, and the repaint is flushed
        assert repaints == []  # the frozen lab answered the same: no tile was redrawn
        assert app.focused is second


async def test_a_backend_down_shows_down_not_zero_and_recovers(clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("librenms", "down")
    app = live_console(clean_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, OverviewScreen)
        await wait_until(pilot, lambda: tile(app, "alerts:librenms").data.error != "")
        alerts = tile(app, "alerts:librenms")
        assert alerts.data.count == ""  # never a zero for a backend we cannot reach
        assert "✗ down" in tile_text(alerts).splitlines()
        assert alerts.has_class("-down")
        clean_lab.set_faults("librenms", "")
        await wait_until(pilot, lambda: tile(app, "alerts:librenms").data.error == "", tries=900)
        assert tile(app, "alerts:librenms").data.count != ""
        assert not tile(app, "alerts:librenms").has_class("-stale")


async def test_compact_layout_at_80_columns_is_a_list() -> None:
    app = frozen_console()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-compact")
        first = list(app.screen.query(Tile))[0]
        assert first.size.height == 1
        row = tile_text(first)
        assert "\n" not in row and "Open alerts" in row and "critical" in row


async def test_a_backend_not_configured_has_no_tile() -> None:
    import dataclasses

    from noc_tui.api import Backends
    from noc_tui.clock import FrozenClock
    from noc_tui.sim import Lab
    from tests.ui.helpers import console, lab_config_on_fixed_ports

    config = lab_config_on_fixed_ports(Lab(seed=1, cpes=120, clock=FrozenClock()))
    config = dataclasses.replace(
        config, backends=tuple(b for b in config.backends if b.kind != "kalliope")
    )
    app = console(config, Backends(config))
    async with app.run_test(size=(120, 40)):
        keys = [t.data.key for t in app.screen.query(Tile)]
        assert not [k for k in keys if k.startswith(("pbx", "calls"))]
        assert "alerts:librenms" in keys and "health" in keys
