"""The pbx screen (its own issue builds it; until then it says what it will show)."""

from __future__ import annotations

from noc_tui.ui.screens.base import NocScreen
from noc_tui.ui.screens.pending import PendingScreen


def make_screen(search: str | None = None) -> NocScreen:
    note = f"Search requested: {search!r}" if search else ""
    return PendingScreen("pbx", note)
