"""A filter box whose enter hands the keys to its table at once.

Input.Submitted is a message: a screen that moves focus on it does so after the keys typed
behind the enter have been dispatched, so "host⏎⏎" typed or pasted in one burst sent the
second enter to the box again instead of opening the first row.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input


class FilterBox(Input):
    def __init__(self, *args: Any, table: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table  # selector of the table the keys go to after enter

    async def action_submit(self) -> None:
        await super().action_submit()
        found = self.screen.query(self.table)
        if found:
            self.screen.set_focus(found.first())
