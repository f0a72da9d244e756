"""The tiles of the overview and the wallboard, laid out as a grid (or a list when narrow).

Tiles are made once, keyed by what they count, and updated in place: a board that runs for
days never piles up widgets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Container

from noc_tui.ui.overview_data import TileData
from noc_tui.ui.widgets.tile import Tile


def tile_id(key: str) -> str:
    return "tile-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


class TileBoard(Container):
    # Unscoped: the narrow layout is keyed on the screen's `-compact` breakpoint class.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    TileBoard {
        layout: grid;
        grid-size: 4;
        grid-rows: auto;
        grid-gutter: 0 1;
        height: auto;
        padding: 0 1;
    }
    .-compact TileBoard { layout: vertical; padding: 0; }
    """

    def __init__(
        self,
        tiles: Sequence[TileData],
        *,
        id: str | None = None,
        focusable: bool = True,
        wide_lines: int = 3,
    ) -> None:
        super().__init__(id=id)
        self._initial = list(tiles)
        self.tiles_focus = focusable  # False on the wallboard: nothing there to open
        self.wide_lines = wide_lines  # 120 columns by 40 rows fit fewer lines a tile

    def compose(self) -> ComposeResult:
        for data in self._initial:
            tile = Tile(data, id=tile_id(data.key), wide_lines=self.wide_lines)
            tile.can_focus = self.tiles_focus
            yield tile

    @property
    def tiles(self) -> list[Tile]:
        return list(self.query(Tile))

    def show(self, tiles: Sequence[TileData], now: float | None) -> None:
        """Update each tile in place; a tile not made at the start is ignored (fixed set)."""
        by_id = {tile.id: tile for tile in self.tiles}
        for data in tiles:
            tile = by_id.get(tile_id(data.key))
            if tile is not None and tile.is_mounted:
                tile.show(data, now)
