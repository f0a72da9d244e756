"""The reference for start-up time: a bare Textual app with one Static."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("bare Textual app")


if __name__ == "__main__":
    BareApp().run()
