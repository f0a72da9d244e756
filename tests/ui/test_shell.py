"""The console as an operator drives it: screens by key, help, back, refresh, a backend down."""

from __future__ import annotations

from textual.widgets import DataTable

from noc_tui.ui.screens.help import HelpScreen
from noc_tui.ui.screens.overview import OverviewScreen
from noc_tui.ui.widgets.status_bar import BackendStatusBar
from tests.ui.helpers import live_console, poll_again, wait_for_first_polls, wait_until


def status_line(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one(BackendStatusBar).render_status().plain


def health_row(app, name: str) -> str:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#health", DataTable)
    return " ".join(str(getattr(cell, "plain", cell)) for cell in table.get_row(name))


async def test_demo_boots_and_every_backend_is_ok(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        assert isinstance(app.screen, OverviewScreen)
        for name in ("krill", "librenms", "openwisp", "kalliope"):
            assert "✓ ok" in health_row(app, name), name
        assert "120 CPEs" in health_row(app, "krill")
        assert status_line(app).count("✓ ok") == 4


async def test_keys_switch_screens_and_escape_goes_back(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab)
    async with app.run_test(size=(100, 30)) as pilot:
        for key, mode, title in [
            ("2", "cpes", "CPEs"),
            ("3", "alerts", "Alerts"),
            ("4", "devices", "Devices"),
            ("5", "pbx", "PBX"),
            ("6", "cdr", "Call records"),
            ("1", "overview", "Overview"),
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
            assert title == app.screen.TITLE
        await pilot.press("3")
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "overview"


async def test_help_lists_global_and_screen_keys(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {row[0]: row[1] for row in app.screen.rows}
        assert keys["r"] == "Refresh" and keys["q"] == "Quit" and keys["1"] == "Overview"
        assert "ctrl+p" in keys and "tab" not in keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)


async def test_backend_down_shows_down_and_recovers(clean_lab) -> None:  # type: ignore[no-untyped-def]
    clean_lab.set_faults("openwisp", "down")
    app = live_console(clean_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        for _ in range(100):
            if "✗ down" in health_row(app, "openwisp"):
                break
            await pilot.pause(0.05)
        assert "✗ down" in health_row(app, "openwisp")
        assert "unreachable" in health_row(app, "openwisp")
        table = app.screen.query_one("#health", DataTable)
        table.move_cursor(row=table.get_row_index("openwisp"))
        await pilot.pause()
        detail = str(app.screen.query_one("#health-detail").render())
        assert "openwisp: unreachable (connection refused)" in detail
        assert "openwisp ✗ down" in status_line(app)
        assert "✓ ok" in health_row(app, "krill")  # one backend down leaves the others alone
        clean_lab.set_faults("openwisp", "")
        await pilot.press("r")
        for _ in range(200):
            if "✓ ok" in health_row(app, "openwisp"):
                break
            await pilot.pause(0.05)
        assert "✓ ok" in health_row(app, "openwisp")


async def test_status_bar_knows_every_backend_on_a_screen_that_uses_one(clean_lab) -> None:  # type: ignore[no-untyped-def]
    """The CPE screen asks only Krill, and only on a search: the others are still watched."""
    clean_lab.set_faults("kalliope", "down")
    app = live_console(clean_lab, start_screen="cpes", watch_health=True)
    async with app.run_test(size=(160, 40)) as pilot:

        async def until(text: str) -> None:
            for _ in range(200):
                if text in status_line(app):
                    return
                await pilot.pause(0.05)
            raise AssertionError(f"{text!r} not in {status_line(app)!r}")

        await until("openwisp ✓ ok")
        assert "krill ✓ ok" in status_line(app) and "librenms ✓ ok" in status_line(app)
        await until("kalliope ✗ down")
        clean_lab.set_faults("kalliope", "")
        await until("kalliope ✓ ok")  # back by itself, without a key pressed


async def test_refresh_keeps_the_cursor(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        table = app.screen.query_one("#health", DataTable)
        table.focus()
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await poll_again(pilot, key="r")  # the answers to this refresh are on screen
        assert table.cursor_row == 2


async def test_read_only_is_shown(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "READ-ONLY" in status_line(app)


async def test_screen_openwisp_opens_the_openwisp_tab(clean_lab) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import TabbedContent

    app = live_console(clean_lab, start_screen="openwisp")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.current_mode == "devices"
        assert app.screen.query_one(TabbedContent).active == "source-openwisp"
        await pilot.press("right_square_bracket")
        assert app.screen.query_one(TabbedContent).active == "source-librenms"


async def test_no_secret_on_screen_even_when_auth_fails(clean_lab) -> None:  # type: ignore[no-untyped-def]
    """Wrong credentials in the URL and in the token: the screen names the failure, not them."""
    import dataclasses

    from noc_tui.api import Backends
    from noc_tui.secret import Secret
    from tests.ui.helpers import console

    config = clean_lab.config(poll_seconds=1)
    nms = next(b for b in config.backends if b.kind == "librenms")
    leaky = dataclasses.replace(
        nms,
        url=nms.url.replace("http://", "http://ops:url-secret-pw@"),
        token=Secret("wrong-token-xyz-123"),
    )
    config = dataclasses.replace(config, backends=(leaky,))
    app = console(config, Backends(config))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_first_polls(pilot)

        def drawn() -> str:
            return app.export_screenshot().replace("&#160;", " ")

        await wait_until(pilot, lambda: "authentication failed" in drawn())
        screen = app.export_screenshot()  # the failure is drawn: now look for what must not be
        for secret in ("url-secret-pw", "wrong-token-xyz-123"):
            assert secret not in screen
