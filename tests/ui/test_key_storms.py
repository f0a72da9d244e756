"""Key storms: long seeded random key sequences, typed at full speed at every screen, view and
dialog of the console on the lab. Afterwards the console must be running, its screen stack must
still have its base, and it must still answer: escape back out, `1`, the overview with its tiles.

The pool is every key the console binds, its filters and dialogs, and the keys Textual's widgets
bind, except the ones that end the console on purpose: `q`, ctrl+c, ctrl+q, and ctrl+p (the
command palette offers "Quit", and a storm typing in it and pressing enter may pick it). Nor do
the words typed after `/` have a `q`: on a screen without a filter box they are keys too.

The storms run against a lab of their own: they do confirm dialogs (`y`, enter on a focused
button), so a storm may ack alerts, deactivate an OpenWISP device or reboot a lab CPE; that stays
out of the session lab the other tests count on. No real backend is ever involved. The CDR's
`e` exports a CSV to whatever path the storm typed: every export lands in the test's own
directory instead.
"""

from __future__ import annotations

import os
import random
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets import Input

from noc_tui.api.kalliope import KalliopeClient
from noc_tui.sim import Lab
from noc_tui.ui.app import NocApp
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.screens.overview import OverviewScreen
from noc_tui.ui.widgets.live_table import LiveTable
from noc_tui.ui.widgets.tile import Tile
from tests.ui.helpers import live_console, wait_until

SIZE = (80, 24)  # the smallest the console supports, and the cheapest to redraw per key
# Textual handles a storm key in 30-70 ms on a small machine, so by default each start gets
# one seed of these and 120 keys (the file in ~90 s). For a longer hunt:
# NOC_TUI_STORM_SEEDS=1,2,3,4,5 (every start with every seed) and NOC_TUI_STORM_KEYS=500.
SEEDS = (1, 2, 3)
KEYS_PER_STORM = int(os.environ.get("NOC_TUI_STORM_KEYS", "120"))

SCREEN_KEYS = ["1", "2", "3", "4", "5", "6"]
# Letters some screen, view or dialog binds (y/n answer dialogs, x opens the CPE actions).
LETTERS = list("aAbcdefghlnOoprstuvwxy")
MOVES = ["up", "down", "left", "right", "pageup", "pagedown", "home", "end", "tab", "shift+tab"]
SPECIAL = [
    "escape",
    "enter",
    "space",
    "question_mark",
    "slash",
    "delete",
    "backspace",
    "left_square_bracket",
    "right_square_bracket",
]
# Input's own ctrl keys (start, end, kill, delete word, cut, paste).
CTRL = ["ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+w", "ctrl+x", "ctrl+v", "ctrl+z"]
NEVER = {"q", "ctrl+c", "ctrl+q", "ctrl+p"}  # they end the console (or offer to) by design

# Weighted: screen keys, escape and enter often enough to reach and leave every dialog.
POOL = (
    SCREEN_KEYS * 2
    + LETTERS * 2
    + MOVES
    + SPECIAL
    + ["escape", "enter"] * 6
    + ["question_mark", "y", "n"] * 2
    + CTRL
)
assert not NEVER & set(POOL)


@pytest.fixture(scope="module")
def storm_lab() -> Iterator[Lab]:
    running = Lab(seed=3, cpes=120)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def sandboxed_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A typed export path like `/x` or `../x` is written as tmp_path/<its last part>."""
    export = KalliopeClient.export_cdr_csv

    async def into_tmp(self: KalliopeClient, query: object, path: Path) -> int:
        return await export(self, query, tmp_path / (path.name or "unnamed"))  # type: ignore[arg-type]

    monkeypatch.setattr(KalliopeClient, "export_cdr_csv", into_tmp)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def key_event(key: str) -> events.Key:
    """The event a terminal's key press becomes, as Pilot.press builds it."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        import unicodedata

        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def burst(app: NocApp, keys: list[str]) -> None:
    """Keys as fast as a terminal delivers them: queued at once, none waits for the last."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)


def storm_keys(rng: random.Random) -> list[list[str]]:
    """Bursts of 1..12 keys; some are a `/` filter with a word typed after it."""
    bursts: list[list[str]] = []
    total = 0
    while total < KEYS_PER_STORM:
        if rng.random() < 0.15:
            word = "".join(rng.choice("abcdef0123-./ ") for _ in range(rng.randint(1, 8)))
            keys = ["slash", *word, rng.choice(["enter", "escape", "down"])]
        else:
            keys = [rng.choice(POOL) for _ in range(rng.randint(1, 12))]
        bursts.append(keys)
        total += len(keys)
    return bursts


async def rows_in(pilot: Pilot, selector: str) -> None:  # type: ignore[type-arg]
    table = pilot.app.screen.query_one(selector, LiveTable)
    await wait_until(pilot, lambda: table.row_count > 0, tries=600)


async def press_until(pilot: Pilot, key: str, check: Callable[[], bool]) -> None:  # type: ignore[type-arg]
    await pilot.press(key)
    await wait_until(pilot, check)


def top(app: NocApp) -> str:
    return type(app.screen).__name__


# Each start: a start screen and the keys that reach the view or dialog the storm starts on.
Start = Callable[[Pilot], Awaitable[None]]  # type: ignore[type-arg]


async def at_overview(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(Tile)))


async def at_help(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_overview(pilot)
    await press_until(pilot, "question_mark", lambda: top(pilot.app) == "HelpScreen")


async def at_cpes(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await rows_in(pilot, "#results")


async def at_cpe_view(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_cpes(pilot)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "CpeViewScreen")


async def at_cpe_actions(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_cpe_view(pilot)
    screen = pilot.app.screen
    await wait_until(pilot, lambda: bool(screen.client.offered_actions(screen.cpe, screen.host)))
    await press_until(pilot, "x", lambda: top(pilot.app) == "ActionMenu")


async def at_cpe_confirm(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_cpe_actions(pilot)
    await press_until(pilot, "enter", lambda: "Confirm" in top(pilot.app))


async def at_alerts(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await rows_in(pilot, "#alerts")


async def at_alert_detail(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_alerts(pilot)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "AlertDetailScreen")


async def at_ack(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_alerts(pilot)
    await press_until(pilot, "a", lambda: top(pilot.app) == "AckDialog")


async def at_librenms(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await rows_in(pilot, "#lnms-devices")


async def at_librenms_device(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_librenms(pilot)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "LibreNmsDeviceScreen")


async def at_port(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_librenms_device(pilot)
    await rows_in(pilot, "#lnms-ports")
    await press_until(pilot, "enter", lambda: top(pilot.app) == "PortGraphScreen")


async def at_openwisp(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await rows_in(pilot, "#ow-table")


async def at_openwisp_device(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_openwisp(pilot)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "OpenWispDeviceScreen")


async def at_openwisp_confirm(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_openwisp_device(pilot)
    await press_until(pilot, "b", lambda: top(pilot.app) == "ConfirmAction")


async def at_pbx(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await rows_in(pilot, "#pbx-table")


async def at_extension(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_pbx(pilot)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "PbxExtensionScreen")


async def at_callgroup(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_pbx(pilot)
    await pilot.press("g")
    await rows_in(pilot, "#pbx-callgroups")
    await wait_until(pilot, lambda: pilot.app.screen.query_one("#pbx-callgroups").has_focus)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "CallgroupDetail")


async def at_conferences(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_pbx(pilot)
    await pilot.press("c")
    await rows_in(pilot, "#pbx-conferences")


async def at_cdr(pilot: Pilot) -> None:  # type: ignore[type-arg]
    from noc_tui.ui.widgets.call_table import CallTable

    calls = pilot.app.screen.query_one(CallTable)
    await wait_until(pilot, lambda: bool(calls.calls), tries=600)


async def at_call_detail(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await at_cdr(pilot)
    await press_until(pilot, "enter", lambda: top(pilot.app) == "CallDetail")


STARTS: dict[str, tuple[str, dict[str, str], Start]] = {
    "overview": ("overview", {}, at_overview),
    "help": ("overview", {}, at_help),
    "cpes": ("cpes", {"search": "cpe"}, at_cpes),
    "cpe-view": ("cpes", {"search": "cpe"}, at_cpe_view),
    "cpe-actions": ("cpes", {"search": "cpe"}, at_cpe_actions),
    "cpe-confirm": ("cpes", {"search": "cpe"}, at_cpe_confirm),
    "alerts": ("alerts", {}, at_alerts),
    "alert-detail": ("alerts", {}, at_alert_detail),
    "ack-dialog": ("alerts", {}, at_ack),
    "librenms": ("devices", {}, at_librenms),
    "librenms-device": ("devices", {}, at_librenms_device),
    "librenms-port": ("devices", {}, at_port),
    "openwisp": ("openwisp", {}, at_openwisp),
    "openwisp-device": ("openwisp", {}, at_openwisp_device),
    "openwisp-confirm": ("openwisp", {}, at_openwisp_confirm),
    "pbx": ("pbx", {}, at_pbx),
    "pbx-extension": ("pbx", {}, at_extension),
    "pbx-callgroup": ("pbx", {}, at_callgroup),
    "pbx-conferences": ("pbx", {}, at_conferences),
    "cdr": ("cdr", {}, at_cdr),
    "call-detail": ("cdr", {}, at_call_detail),
}


async def back_to_overview(pilot: Pilot, note: str) -> None:  # type: ignore[type-arg]
    """What an operator does after a storm: escape until on a screen's base, then `1`."""
    app: NocApp = pilot.app  # type: ignore[assignment]
    for _ in range(12):
        if len(app.screen_stack) == 1 and not isinstance(app.focused, Input):
            break
        await pilot.press("escape")
    where = f"mode {app.current_mode}, stack {app.screen_stack}, focus {app.focused}"
    assert len(app.screen_stack) == 1, f"{note}: escape did not lead back: {where}"
    await pilot.press("1")
    try:
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        await wait_until(pilot, lambda: bool(app.screen.query(Tile)))
    except AssertionError:
        now = f"mode {app.current_mode}, stack {app.screen_stack}, focus {app.focused}"
        raise AssertionError(f"{note}: `1` did not bring the overview: {where} -> {now}") from None


def storms() -> list[tuple[str, int]]:
    wanted = os.environ.get("NOC_TUI_STORM_SEEDS", "")
    if wanted:
        seeds = [int(seed) for seed in wanted.split(",")]
        return [(start, seed) for start in STARTS for seed in seeds]
    return [(start, SEEDS[index % len(SEEDS)]) for index, start in enumerate(STARTS)]


@pytest.mark.parametrize(
    ("start", "seed"), storms(), ids=lambda v: v if isinstance(v, str) else f"seed{v}"
)
async def test_key_storm(storm_lab: Lab, sandboxed_exports: Path, start: str, seed: int) -> None:
    mode, options, reach = STARTS[start]
    app = live_console(storm_lab, start_screen=mode, **options)
    rng = random.Random(f"{start}:{seed}")  # a str seed is the same in every run
    typed: list[str] = []
    note = f"storm at {start} with seed {seed} (random.Random('{start}:{seed}'))"
    async with app.run_test(size=SIZE) as pilot:
        await reach(pilot)
        for keys in storm_keys(rng):
            typed += keys
            if rng.random() < 0.05:
                # Pilot's way, each key handled before the next: its waits for idle make
                # it slow here, so it is the exception.
                await pilot.press(*keys)
            else:
                burst(app, keys)
            if rng.random() < 0.3:
                # Now and then a breath between bursts (not Pilot's wait for idle: the lab in
                # this process keeps the CPU busy, and that wait lasts up to a second).
                await pilot.pause(0.02)
            if app._exception is not None or not app.is_running:
                break
        await pilot.pause()
        await pilot.pause()
        assert app._exception is None, f"{note}: {app._exception!r} after {typed[-40:]}"
        assert app.is_running and app.return_code is None, f"{note}: the console ended"
        for mode_name, stack in app._screen_stacks.items():  # every mode visited kept its base
            assert stack and isinstance(stack[0], NocScreen), f"{note}: {mode_name}: {stack}"
        await back_to_overview(pilot, note)


# The sequences that crashed the console before dialogs answered once and views opened only
# from the screen shown: each burst as a terminal delivers it, then the same checks.
KNOWN: dict[str, tuple[str, list[str]]] = {
    # Enter twice in the ack note box: the second answer came after the dialog had gone
    # (ScreenStackError).
    "ack-enter-enter": ("ack-dialog", ["n", "o", "t", "e", "enter", "enter", "enter"]),
    # An action chosen and confirmed, then a screen key: the answer landed on a CPE view being
    # torn down (NoMatches '#cpe-message').
    "actions-confirm-then-mode": ("cpe-actions", ["enter", "enter", "3"]),
    # A view left open over alerts, then an overview tile drills into alerts: the drill acted
    # on the view (AttributeError: no render_rows).
    "drill-over-a-view": ("alert-detail", ["1", "enter"]),
    # Escape answers the dialog, then queued enters press buttons of a dialog that is gone.
    "confirm-escape-enter": ("cpe-confirm", ["escape", "enter", "enter", "escape"]),
    # A row's enter queued behind a screen key must not open the call detail over PBX.
    "call-detail-then-mode": ("cdr", ["enter", "5", "1", "enter"]),
}


@pytest.mark.parametrize("name", KNOWN)
async def test_known_crash_sequences(storm_lab: Lab, sandboxed_exports: Path, name: str) -> None:
    start, keys = KNOWN[name]
    mode, options, reach = STARTS[start]
    app = live_console(storm_lab, start_screen=mode, **options)
    note = f"{name}: {keys} at {start}"
    async with app.run_test(size=SIZE) as pilot:
        await reach(pilot)
        for _ in range(3):
            burst(app, keys)
            await pilot.pause(0.05)
        await pilot.pause()
        assert app._exception is None, f"{note}: {app._exception!r}"
        assert app.is_running and app.return_code is None, f"{note}: the console ended"
        for mode_name, stack in app._screen_stacks.items():
            assert stack and isinstance(stack[0], NocScreen), f"{note}: {mode_name}: {stack}"
            # A view or dialog sits only over the mode that opened it.
            names = {type(screen).__name__ for screen in stack[1:]}
            assert mode_name == "cdr" or "CallDetail" not in names, f"{note}: {stack}"
        await back_to_overview(pilot, note)
