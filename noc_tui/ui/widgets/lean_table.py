"""A DataTable that keeps only the renders it can still use, for tables that live for days."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable

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

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._update_count != self._cached_generation:
            self._cached_generation = self._update_count
            self._cell_render_cache.clear()
            for cache in self._row_caches():
                cache.clear()
        return super().render_lines(crop)
