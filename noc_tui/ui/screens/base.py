"""What every console screen has: a title line, the backend status bar, its pollers."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input

from noc_tui.ui.poll import Polled, Poller, PollJob
from noc_tui.ui.screens.catalog import SCREENS
from noc_tui.ui.services import Services, services_of
from noc_tui.ui.widgets.plain import Plain
from noc_tui.ui.widgets.status_bar import BackendStatusBar


def tab_line(current: str, read_only: bool) -> Text:
    """`noc-tui  1 Overview  2 CPEs …`, the current screen in reverse: where am I, where to."""
    line = Text("noc-tui ", style="bold")
    for name, info in SCREENS.items():
        line.append(f" {info.key} {info.tab} ", style="bold reverse" if name == current else "")
    if read_only:
        line.append("  READ-ONLY", style="bold")
    return line


class TitleBar(Plain):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        background: $primary 30%;
        color: $foreground;
        padding: 0 1;
    }
    """


class NocScreen(Screen[None]):
    """Base of the console's screens: subclasses give `TITLE`, `compose_body` and `poll_jobs`,
    each job naming the method that shows its answers."""

    TITLE = ""
    NAME = ""
    poller: Poller | None = None
    # Per poll job, the ask number (Poller.asked) of the latest answer shown: proof that a
    # poll asked after some moment has been drawn, so "nothing changed" can be checked.
    polls_shown: dict[str, int]

    @property
    def noc(self) -> Services:
        return services_of(self.app)

    def compose(self) -> ComposeResult:
        yield TitleBar(tab_line(self.NAME, self.noc.backends.read_only), id="title")
        yield from self.compose_body()
        with Vertical(id="bottom-bars"):
            yield BackendStatusBar(self.noc.backends, self.noc.clock)
            yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def poll_jobs(self) -> list[PollJob[Any]]:
        return []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.polls_shown = {}

    def on_mount(self) -> None:
        # Textual calls every class's on_mount along the MRO: a screen's own on_mount runs
        # first and must not call super(), or the polling loops would start twice.
        jobs = self.poll_jobs()
        if jobs:
            self.poller = Poller(self, jobs)
            if self.noc.painted:
                self.start_polling()
            # else the app calls start_polling once the first frame is on the terminal

    def start_polling(self) -> None:
        """Paint first, then ask the backends (the first request imports the HTTP stack)."""
        if self.poller:
            self.call_after_refresh(self.poller.start)

    def on_polled(self, message: Polled[Any]) -> None:
        """Fresh data or an error arrived: the status bar shows it now, then the job's owner."""
        self.query_one(BackendStatusBar).refresh_soon()
        message.deliver()
        shown = self.polls_shown.get(message.key, 0)
        self.polls_shown[message.key] = max(shown, message.asked)

    def on_screen_suspend(self) -> None:
        if self.poller:
            self.poller.pause()

    def on_screen_resume(self) -> None:
        if self.poller:
            self.poller.resume()

    def action_back(self) -> None:
        """escape on a pushed view: back to the screen under it, never past a screen's base."""
        leave(self)

    def refresh_data(self) -> bool:
        """Poll now; False when this screen has nothing to poll."""
        if not self.poller:
            return False
        self.poller.refresh_now()
        return True


def focus_now(widget: Widget) -> None:
    """Focus at once: Widget.focus() waits its turn in the message queue."""
    widget.screen.set_focus(widget)


def search_key(action: str, description: str) -> Binding:
    """`/` as a priority key: the app runs it before handing on the keys typed after it, so
    `/serial` typed or pasted in one burst lands in the box, not on the table."""
    return Binding("slash", action, description, priority=True)


def slash_typed_in_a_box(app: App[object]) -> bool:
    """With a box focused, the priority `/` is just a character (a path, a command, a note)."""
    focused = app.focused
    if isinstance(focused, Input):
        # Queued behind the keys typed before it, as the app itself would hand it on.
        focused._forward_event(events.Key("slash", "/"))
        return True
    return False


def open_over(owner: Widget, screen: Screen[Any], callback: Any = None) -> bool:
    """Push `screen` over the screen `owner` is on, only while that screen is the one shown.

    A row's enter reaches its screen as a message, after the keys typed before it: by then a
    screen key may have switched to another screen, or `?` put the keys over it. Pushed
    anyway, the view opened over the wrong screen (the call detail over the overview)."""
    if not owner.screen.is_active:
        return False
    owner.app.push_screen(screen, callback)
    return True


def leave(screen: Screen[Any]) -> None:
    """Back out of a pushed view, only while it is the one shown and never past a screen's
    base: `app.pop_screen` pops whatever is on top (a dialog, the keys, or the base itself)."""
    app = screen.app
    if screen.is_active and len(app.screen_stack) > 1:
        app.pop_screen()
