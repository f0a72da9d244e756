"""Keeps the garbage collector's full passes off an operator's keystrokes.

A full cycle collection walks every tracked object: with 10,000 alerts on screen it takes
~60 ms, and it fell in the middle of keystrokes (escape bringing every row back). After a big
table has been drawn, once the console has been quiet for a moment, collect once and freeze
what survived: later passes skip it, and refcounting still frees those objects when a poll
replaces them (alerts, rows and cells hold no cycles). Unfreezing first means nothing that
became garbage since the last freeze is kept for good.
"""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App
from textual.timer import Timer

QUIET_SECONDS = 1.5
BIG_TABLE = 2_000  # rows; below this a full pass is a few milliseconds


class HeapKeeper:
    def __init__(self, app: App[Any]) -> None:  # App is invariant in its return type
        self.app = app
        self._timer: Timer | None = None
        self.settled = 0  # passes done, for tests

    def after_big_table(self, rows: int) -> None:
        """Call after drawing a table; a table of BIG_TABLE rows or more schedules a pass."""
        if rows < BIG_TABLE:
            return
        if self._timer is not None:
            self._timer.stop()  # still busy: wait for the quiet moment
        self._timer = self.app.set_timer(QUIET_SECONDS, self._settle, name="heap keeper")

    def _settle(self) -> None:
        self._timer = None
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.settled += 1
