"""For `make bench` only: report the first rendered frame on an inherited pipe, then maybe exit.

Set NOC_TUI_BENCH_FD to a writable file descriptor; NOC_TUI_BENCH_EXIT=1 quits after the frame.
"""

from __future__ import annotations

import os
import time

from textual.app import App


def arm(app: App[object]) -> None:
    """Call from the first screen's on_mount: the callback runs once that screen is painted."""
    fd = os.environ.get("NOC_TUI_BENCH_FD")
    if not fd or getattr(app, "_bench_armed", False):
        return
    app._bench_armed = True  # type: ignore[attr-defined]

    def report() -> None:
        os.write(int(fd), f"first-frame {time.time():.6f}\n".encode())
        if os.environ.get("NOC_TUI_BENCH_EXIT") == "1":
            app.exit()

    app.call_after_refresh(report)
