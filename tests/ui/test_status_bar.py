"""The status bar: every backend's state as symbol + word, and its data age, marked stale."""

from __future__ import annotations

from noc_tui.ui.widgets.status_bar import BackendStatusBar
from tests.ui.helpers import frozen_console, wait_for_first_polls


async def test_old_data_is_marked_stale() -> None:
    app = frozen_console()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        bar = app.screen.query_one(BackendStatusBar)
        assert "stale" not in bar.render_status().plain
        assert bar.render_status().plain.count("✓ ok <10s") == 4
        app.clock.advance(16)  # more than 3 poll intervals of 5 s with no fresh answer
        line = bar.render_status().plain
        assert line.count("◌ stale") == 4 and "krill ✓ ok 10s" in line


async def test_theme_switch_keeps_symbols_and_words() -> None:
    app = frozen_console(theme="mono")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        assert app.theme == "mono"
        assert app.screen.query_one(BackendStatusBar).render_status().plain.count("✓ ok") == 4
        app.theme = "high-contrast"
        await pilot.pause()
        assert app.screen.query_one(BackendStatusBar).render_status().plain.count("✓ ok") == 4


async def test_palette_lists_screens_and_themes() -> None:
    app = frozen_console()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Go to Alerts" in titles and "Theme: mono" in titles and "Refresh now" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"
