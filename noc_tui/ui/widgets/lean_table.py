"""A DataTable that keeps only the renders it can still use, for tables that live for days,
and that draws every string it is given as plain text (DataTable reads strings as markup)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, ColumnKey, RowKey

from noc_tui.untrusted import table_cell

# DataTable's own caps are 10,000 cells and 1,000 rows and lines. A screen shows at most
# about 60 rows of a dozen cells; these cover it twice while scrolling.
CELL_CACHE = 1_500
LINE_CACHE = 120


class LeanDataTable(DataTable[Any]):
    """Every render cache of DataTable is keyed on its update count, so after any change all
    it holds is dead. Left to the LRU, the dead renders of every poll piled up to the caps
    and kept a wallboard's RSS climbing for half an hour; here they go before the next draw."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cell_render_cache.maxsize = CELL_CACHE
        for cache in self._row_caches():
            cache.maxsize = LINE_CACHE
        self._cached_generation = self._update_count

    def _row_caches(self) -> tuple[Any, ...]:
        return (self._row_render_cache, self._row_renderable_cache, self._line_cache)

    def cell_widths(self) -> list[int | None]:
        """Each column's fixed width in order (None where it follows its content)."""
        return [None if c.auto_width else c.width for c in self.ordered_columns]

    def plain_cells(
        self, cells: Iterable[Any], widths: list[int | None] | None = None
    ) -> list[Any]:
        """Cells as drawn: strings plain (never markup), cleaned, cut to a fixed column width."""
        widths = self.cell_widths() if widths is None else widths
        drawn = []
        for index, cell in enumerate(cells):
            drawn.append(table_cell(cell, widths[index] if index < len(widths) else None))
        return drawn

    def add_row(
        self,
        *cells: CellType,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        return super().add_row(*self.plain_cells(cells), height=height, key=key, label=label)

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        column = self.columns.get(ColumnKey(str(column_key)))
        width = column.width if column is not None and not column.auto_width else None
        super().update_cell(
            row_key, column_key, table_cell(value, width), update_width=update_width
        )

    # DataTable binds home/end to the first/last *column* (ctrl+home/end to the rows), so on
    # our row-cursor tables `end` only scrolled sideways: the README's `home end` move rows.
    def action_scroll_home(self) -> None:
        if self.cursor_type == "row":
            self.action_scroll_top()
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        if self.cursor_type == "row":
            self.action_scroll_bottom()
        else:
            super().action_scroll_end()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._update_count != self._cached_generation:
            self._cached_generation = self._update_count
            self._cell_render_cache.clear()
            for cache in self._row_caches():
                cache.clear()
        return super().render_lines(crop)
