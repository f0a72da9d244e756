"""The reference for start-up time: a bare Textual app with one Static, same bench hook."""

from __future__ import annotations

import os
import time

from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("bare")

    def on_mount(self) -> None:
        def report() -> None:
            os.write(
                int(os.environ["NOC_TUI_BENCH_FD"]), f"first-frame {time.time():.6f}\n".encode()
            )
            self.exit()

        self.call_after_refresh(report)


if __name__ == "__main__":
    BareApp().run()
