"""The App: themes, screens by key, global bindings, the command palette. Screens do the work."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Iterable
from functools import partial

from rich.console import RenderableType
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen

from noc_tui.api import Backends
from noc_tui.clock import SYSTEM_CLOCK, Clock
from noc_tui.config import Config
from noc_tui.ui.health_watch import start_health_watch
from noc_tui.ui.heap import HeapKeeper
from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.screens.catalog import SCREENS
from noc_tui.ui.screens.help import HelpScreen, KeyRow
from noc_tui.ui.services import Services
from noc_tui.ui.terminal import ExitGuard, exit_when_terminal_gone
from noc_tui.ui.themes import DEFAULT_THEME, ThemeSet, load_themes
from noc_tui.untrusted import block, clean

log = logging.getLogger("noc_tui.ui")

# `--screen openwisp` opens the devices screen on its OpenWISP tab.
SCREEN_ALIASES = {"openwisp": "devices"}
# Textual's generic keys: true everywhere, and noise in a list of what this console does.
HIDDEN_ACTIONS = {"app.focus_next", "app.focus_previous", "screen.copy_text", "command_palette"}
HIDDEN_KEYS = {"ctrl+q", "super+c"}


class NocApp(App[None]):
    TITLE = "noc-tui"
    CSS_PATH = "app.tcss"
    # Textual's ctrl+q stays, but sits on terminal flow control: our quit keys are q and ctrl+c.
    BINDINGS = [
        *(
            Binding(info.key, f"show('{name}')", info.title, show=False, id=f"screen.{name}")
            for name, info in SCREENS.items()
        ),
        Binding("question_mark", "show_keys", "Keys", id="help"),
        Binding("r", "refresh_now", "Refresh", id="refresh"),
        Binding("escape", "go_back", "Back", show=False, id="back"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit.ctrl_c"),
    ]

    def __init__(
        self,
        config: Config,
        backends: Backends,
        *,
        clock: Clock = SYSTEM_CLOCK,
        start_screen: str = "overview",
        search: str | None = None,
        theme_name: str | None = None,
        themes: ThemeSet | None = None,
        notes: Iterable[str] = (),
        watch_health: bool = True,
    ) -> None:
        # The start screen is the first mode itself, so Textual never builds and paints its
        # empty default screen first (that cost a frame at start-up).
        # misc: DEFAULT_MODE is a ClassVar in Textual; set per instance on purpose, before
        # App starts its first mode.
        self.DEFAULT_MODE = SCREEN_ALIASES.get(start_screen, start_screen)  # type: ignore[misc]
        super().__init__()
        self.services = Services(
            config, backends, clock, HeapKeeper(self), self.action_show, self.action_go_back
        )
        self.search = search
        self.start_screen = self.DEFAULT_MODE
        self.device_source = "openwisp" if start_screen == "openwisp" else "librenms"
        self.notes = list(notes)
        self.watch_health = watch_health  # off in snapshot tests: pings at random moments
        self.history: list[str] = []
        self.theme_set = themes or load_themes()
        for theme in self.theme_set.themes.values():
            self.register_theme(theme)
        wanted = theme_name or config.ui.theme
        self.theme = wanted if wanted in self.theme_set.themes else DEFAULT_THEME
        self._modes = {name: self._screen_factory(name) for name in SCREENS}
        # Set by the CLI (never in tests): signals, and the deadline on every way out.
        self.exit_guard: ExitGuard | None = None

    # The services under their short names, for the app's own code and for tests.
    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def backends(self) -> Backends:
        return self.services.backends

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def heap(self) -> HeapKeeper:
        return self.services.heap

    def get_driver_class(self) -> type[Driver]:
        driver_class = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver_class is LinuxDriver:  # a real terminal (not the web driver of `serve`)
            from noc_tui.ui.driver import NocDriver

            return NocDriver
        return driver_class

    def _screen_factory(self, name: str) -> Callable[[], Screen[None]]:
        """One module per screen, imported on first visit: start-up pays only for its screen."""

        def make() -> Screen[None]:
            module = importlib.import_module(f"noc_tui.ui.screens.{name}")
            screen: Screen[None]  # the module is Any here; its factories are typed at home
            if name == "cpes":
                screen = module.make_screen(self.search)
            elif name == "devices":
                screen = module.DevicesScreen(self.device_source)
            elif name == "overview":
                screen = module.OverviewScreen()
            else:
                screen = module.make_screen()
            return screen

        return make

    def on_mount(self) -> None:
        # SIGTERM, SIGHUP (a closed SSH session), SIGINT: the guard's handlers send them here.
        if self.exit_guard is not None:
            self.exit_guard.attach(asyncio.get_running_loop())
        exit_when_terminal_gone(self)  # the SIGHUP may go to a parent (make) and stop there
        for problem in self.theme_set.problems:
            self.notify(problem, title="Theme skipped", severity="warning", timeout=10)
        for note in self.notes:
            self.notify(note, severity="warning", timeout=10)

    def on_ready(self) -> None:
        # Textual sends Ready once start-up's batch of updates is over, so work started now
        # (the first requests load the HTTP library) no longer holds back the first frame.
        self.services.painted = True
        if isinstance(self.screen, NocScreen):
            self.screen.start_polling()
        if self.watch_health:
            start_health_watch(self, self.backends, self.clock)

    async def on_unmount(self) -> None:
        await self.backends.aclose()

    def exit(
        self,
        result: None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        # However the console is left (q, a signal, a dead terminal), leaving has a deadline.
        if self.exit_guard is not None:
            self.exit_guard.arm(return_code)
        super().exit(result, return_code, message)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: most carry a server's words or a host name."""
        text = block(message).plain
        super().notify(text, title=clean(title), severity=severity, timeout=timeout, markup=False)

    def action_show(self, name: str) -> None:
        if self.current_mode != name:
            self.history = [*self.history[-9:], self.current_mode]
            self.switch_mode(name)

    def action_go_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.history:
            self.switch_mode(self.history.pop())

    def action_refresh_now(self) -> None:
        screen = self.screen
        if isinstance(screen, NocScreen) and screen.refresh_data():
            self.notify("Refreshing now", timeout=2)
        else:
            self.notify("Nothing to refresh on this screen", timeout=2)

    def action_show_keys(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(getattr(self.screen, "TITLE", ""), self.key_rows()))

    def key_rows(self) -> list[KeyRow]:
        rows: list[KeyRow] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            # Textual's own widget keys (scrolling, focus) would bury ours; one row says them.
            if binding.system or not binding.description or _is_stock(active.node):
                continue
            if binding.action in HIDDEN_ACTIONS or key in HIDDEN_KEYS:
                continue
            where = "global" if active.node is self else "this screen"
            rows.append((_key_label(key), binding.description, where))
        rows.append(("ctrl+p", "Command palette: screens, themes, refresh", "global"))
        rows.append(("↑ ↓ pgup pgdn", "Move in lists and tables", "global"))
        rows.sort(key=lambda row: (row[2] != "this screen", row[0]))
        return rows

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for name, info in SCREENS.items():
            yield SystemCommand(
                f"Go to {info.title}", f"Key {info.key}", partial(self.action_show, name)
            )
        for theme in sorted(self.theme_set.themes):
            yield SystemCommand(
                f"Theme: {theme}", "Switch the colour theme", partial(self._set_theme, theme)
            )
        yield SystemCommand(
            "Refresh now", "Poll this screen's backends now (r)", self.action_refresh_now
        )
        yield SystemCommand("Keys", "Show every key binding (?)", self.action_show_keys)
        yield SystemCommand("Quit", "Leave noc-tui (q)", self.exit)

    def _set_theme(self, name: str) -> None:
        self.theme = name


def _is_stock(node: object) -> bool:
    return type(node).__module__.startswith("textual.")


def _key_label(key: str) -> str:
    return {"question_mark": "?", "escape": "esc", "slash": "/"}.get(key, key)
