"""Operators type (or paste) `/serial` in one burst: every key lands in the box `/` opens."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from tests.ui.helpers import live_console, wait_for_first_polls, wait_until


def burst(app, text: str) -> None:  # type: ignore[no-untyped-def]
    """All keys queued at once, as a fast typist or a terminal paste delivers them."""
    for char in text:
        app.post_message(events.Key({"/": "slash"}.get(char, char), char))


@pytest.mark.parametrize(
    ("screen", "box"),
    [
        ("cpes", "#search"),
        ("alerts", "#alert-filter"),
        ("devices", "#lnms-filter"),
        ("openwisp", "#ow-search"),
        ("pbx", "#pbx-filter"),
        ("cdr", "#cdr-filter"),
    ],
)
async def test_keys_typed_right_after_slash_reach_the_box(clean_lab, screen: str, box: str) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen=screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        if app.focused is not None and isinstance(app.focused, Input):
            app.screen.set_focus(None)  # start from the table, as after a search
            await pilot.pause()
        burst(app, "/ab/c")  # the second `/` is text: a path, a wildcard, a note
        field = app.screen.query_one(box, Input)
        await wait_until(pilot, lambda: len(field.value) >= 4)  # every key typed has landed
        assert field.value.endswith("ab/c")


@pytest.mark.parametrize(
    ("screen", "text", "opened"),
    [
        ("alerts", "/olt", "AlertDetailScreen"),
        ("devices", "/core-rtr-01", "LibreNmsDeviceScreen"),
        ("openwisp", "/ap-", "OpenWispDeviceScreen"),
        ("pbx", "/20", "PbxExtensionScreen"),
    ],
)
async def test_filter_enter_enter_in_one_burst_opens_the_first_row(  # type: ignore[no-untyped-def]
    clean_lab, screen: str, text: str, opened: str
) -> None:
    """The first enter leaves the box, the second opens the row under the cursor."""
    app = live_console(clean_lab, start_screen=screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)  # the first rows are in (a cold machine is slow)
        if app.focused is not None and isinstance(app.focused, Input):
            app.screen.set_focus(None)
            await pilot.pause()
        burst(app, text)
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))
        for _ in range(100):
            if type(app.screen).__name__ == opened:
                break
            await pilot.pause(0.05)
        assert type(app.screen).__name__ == opened
