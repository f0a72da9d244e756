"""The LibreNMS device view and the live port graph, as an operator uses them (frozen lab)."""

from __future__ import annotations

from textual.widgets import Static

from noc_tui.sim.librenms_world import POLL_PERIOD
from noc_tui.ui.screens.librenms_device import LibreNmsDeviceScreen
from noc_tui.ui.screens.librenms_port import PortGraphScreen
from noc_tui.ui.widgets.graph import TimeGraph
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import poll_again, wait_until, widget_text
from tests.ui.librenms_helpers import frozen_librenms, open_device


async def test_enter_opens_details_and_ports() -> None:
    app, world, _ = frozen_librenms(start_screen="devices")
    device = next(d for d in world.devices if d["hostname"].startswith("core-rtr") and d["status"])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_device(pilot, device["hostname"])
        screen = app.screen
        detail = widget_text(screen.query_one("#lnms-device-detail", Static))
        for label in ("Status", "sysName", "OS", "Hardware", "Location", "Uptime", "Last polled"):
            assert label in detail
        assert "✓ up" in detail and device["hardware"] in detail and device["location"] in detail
        table = screen.query_one("#lnms-ports", LiveTable)
        names = [p["ifName"] for p in world.ports[device["device_id"]]]
        assert table.row_count == len(names)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == names[0]
        assert first[2].split()[0] in ("✓", "✗", "–")  # a symbol and a word, never colour alone
        assert first[4].endswith("b/s") and first[5].endswith("b/s")


async def test_down_device_says_why() -> None:
    app, world, _ = frozen_librenms(start_screen="devices")
    device = next(d for d in world.devices if d["status"] == 0)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_device(pilot, device["hostname"])
        detail = widget_text(app.screen.query_one("#lnms-device-detail", Static))
        assert f"✗ down ({device['status_reason']})" in detail


async def test_device_without_ports_says_no_ports_without_error() -> None:
    app, world, _ = frozen_librenms(start_screen="devices")
    portless = next(d for d in world.devices if not world.ports[d["device_id"]])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_device(pilot, portless["hostname"])
        screen = app.screen
        assert isinstance(screen, LibreNmsDeviceScreen)
        assert "no ports" in str(screen.query_one("#lnms-no-ports", Static).render())
        assert screen.message == ""  # the server's 404 is an answer, not a failure
        assert not screen.query_one("#lnms-ports", LiveTable).display


async def test_port_graph_adds_a_point_per_librenms_poll_and_stops_when_closed() -> None:
    app, world, clock = frozen_librenms(start_screen="devices")
    device = next(d for d in world.devices if d["hostname"].startswith("core-rtr") and d["status"])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_device(pilot, device["hostname"])
        await pilot.press("enter")  # the first port
        await wait_until(pilot, lambda: isinstance(app.screen, PortGraphScreen))
        screen = app.screen
        assert isinstance(screen, PortGraphScreen)
        graph = screen.query_one(TimeGraph)
        await wait_until(pilot, lambda: graph.points == 2)  # in and out: one point each
        await poll_again(pilot, screen)  # same LibreNMS poll: no new point, however often we ask
        assert graph.points == 2
        for polls in (2, 3):
            clock.advance(POLL_PERIOD)
            screen.refresh_data()
            await wait_until(pilot, lambda polls=polls: graph.points == 2 * polls)
        now = widget_text(screen.query_one("#port-now", Static))
        assert "in " in now and "out " in now and "3 so far" in now
        assert screen.history.samples.maxlen is not None  # bounded, however long it stays open

        def port_polling() -> list[object]:
            return [
                w for w in app.workers if w.name.startswith("poll librenms:port") and w.is_running
            ]

        assert port_polling()
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibreNmsDeviceScreen))
        await wait_until(pilot, lambda: not port_polling())  # closed: no more port requests


async def test_ping_only_device_has_no_uptime_in_table_nor_view() -> None:
    # A ping-only device is up with a null uptime: "0h 0m" would claim it just rebooted.
    app, world, _ = frozen_librenms(start_screen="devices")
    device = next(d for d in world.devices if d["status"] == 1)
    device["uptime"] = None
    async with app.run_test(size=(120, 40)) as pilot:
        from noc_tui.ui.screens.devices_librenms import LibreNmsDevicesPane

        table = app.screen.query_one(LibreNmsDevicesPane).query_one(LiveTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        assert str(table.get_row(str(device["device_id"]))[6]) == "—"
        await open_device(pilot, device["hostname"])
        detail = widget_text(app.screen.query_one("#lnms-device-detail", Static))
        assert any(line.split()[:2] == ["Uptime", "—"] for line in detail.splitlines()), detail


async def test_last_polled_reads_as_server_time_and_age_not_raw_iso() -> None:
    # The 26.5 era sends ISO-8601 in UTC; the view showed it as sent.
    import time
    from datetime import datetime
    from zoneinfo import ZoneInfo

    app, world, clock = frozen_librenms(start_screen="devices")
    device = next(d for d in world.devices if d["status"] == 0)  # its last poll stays put
    polled = clock.now() - 180
    device["last_polled"] = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(polled))
    wall = datetime.fromtimestamp(polled, ZoneInfo("Europe/Madrid"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_device(pilot, device["hostname"])
        detail = widget_text(app.screen.query_one("#lnms-device-detail", Static))
        assert device["last_polled"] not in detail, detail
        assert f"{wall:%Y-%m-%d %H:%M:%S} {wall.tzname()} (3m ago)" in detail, detail


async def test_display_name_is_shown_and_filtered_on() -> None:
    # Newer LibreNMS has a display name per device; the table lists it as LibreNMS does.
    from noc_tui.ui.screens.devices_librenms import LibreNmsDevicesPane

    app, world, _ = frozen_librenms(start_screen="devices")
    device = next(d for d in world.devices if d["status"] == 1)
    device["display"] = "ACME edge Cieza"
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(LibreNmsDevicesPane).query_one(LiveTable)
        await wait_until(pilot, lambda: table.row_count > 1)
        assert str(table.get_row(str(device["device_id"]))[1]) == "ACME edge Cieza"
        await pilot.press("slash", *list("acme"), "enter")
        await wait_until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibreNmsDeviceScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.ports is not None)  # type: ignore[attr-defined]
        detail = widget_text(screen.query_one("#lnms-device-detail", Static))
        assert "Display name ACME edge Cieza" in " ".join(detail.split()), detail
        assert device["hostname"] in detail  # the hostname stays, for ssh and for alerts
        assert "ACME edge Cieza" in widget_text(screen.query_one("#lnms-device-head", Static))
