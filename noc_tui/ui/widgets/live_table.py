"""A DataTable refreshed by diff: rows keyed by the backend's id, only changed cells repainted.

A refresh never moves the cursor off the row it was on (rows are tracked by key, not index),
never scrolls, and does nothing at all when the data did not change. Every cell is backend
text until proven otherwise: strings are drawn plain (never markup), cleaned and cut to their
column (noc_tui/untrusted.py); a key that repeats in one refresh is kept once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.widgets.data_table import Row as TableRow
from textual.widgets.data_table import RowKey

from noc_tui.ui.widgets.lean_table import LeanDataTable

BULK = 32  # above this many rows added or gone at once, do it in one pass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[Any, ...]  # str or rich Text, one per column, in column order


class LiveTable(LeanDataTable):
    """Call `set_columns` once, then `show(rows)` on every poll."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._columns: tuple[Column, ...] = ()
        self._shown: dict[str, tuple[Any, ...]] = {}
        self._order: list[str] = []

    def set_columns(self, columns: Sequence[Column]) -> None:
        if tuple(columns) == self._columns:
            return
        self._columns = tuple(columns)
        cursor = self.cursor_key
        rows = [Row(key, cells) for key, cells in self._shown.items()]
        self.clear(columns=True)
        self._shown, self._order = {}, []
        for column in self._columns:
            self.add_column(column.label, key=column.key, width=column.width)
        self.show(rows, keep=cursor)

    @property
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def show(self, rows: Sequence[Row], keep: str | None = None) -> bool:
        """Make the table show `rows` in that order; returns False when nothing changed.

        A key that comes twice (a backend that repeats an id, a page that shifted while it was
        read) is shown once, its first row: a safety net, since the clients already keep each
        id once and say so (`noc_tui.api.listing`).
        """
        keep = keep or self.cursor_key
        wanted: dict[str, tuple[Any, ...]] = {}
        for row in rows:
            wanted.setdefault(row.key, row.cells)
        if len(wanted) != len(rows):
            rows = _first_of_each(rows)
        order = [row.key for row in rows]
        if wanted == self._shown and order == self._order:
            return False
        gone = [k for k in self._shown if k not in wanted]
        if len(gone) > BULK:
            self._remove_many(gone)
        else:
            for key in gone:
                self.remove_row(key)
                del self._shown[key]
        added = []
        for row in rows:
            before = self._shown.get(row.key)
            if before is None:
                added.append(row)
            elif before != row.cells:
                self._update_changed(row, before)
            self._shown[row.key] = row.cells
        if len(added) > BULK:
            self._add_many(added)
        else:
            for row in added:
                self.add_row(*row.cells, key=row.key)
        if order != self._order:
            self._reorder(order)
        self._order = order
        if keep is not None and keep in self._shown:
            self.move_cursor(row=self.get_row_index(keep), scroll=False)
        return True

    def _remove_many(self, keys: list[str]) -> None:
        """Drop many rows in one pass: `remove_row` renumbers every row on each call, so a
        filter keystroke that hides 9,000 of 10,000 rows would take tens of seconds."""
        gone = set()
        for key in keys:
            row_key = RowKey(key)
            self.rows.pop(row_key, None)
            self._data.pop(row_key, None)
            del self._shown[key]
            gone.add(row_key)
        self._new_rows -= gone
        if self._updated_cells:  # cells waiting to be measured must not outlive their row
            self._updated_cells = {c for c in self._updated_cells if c.row_key not in gone}
        kept = [k for k in self._order if k in self._shown]
        self._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(kept)})
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate  # clamp into the rows that are left
        self.refresh(layout=True)

    def _add_many(self, rows: list[Row]) -> None:
        """Append many rows in one pass: `add_row` re-lists the columns and re-checks the
        cursor for every row, a third of a second for 10,000 rows."""
        columns = [column.key for column in self.ordered_columns]
        was_empty = not self.row_count
        index = len(self.rows)
        widths = self.cell_widths()
        for row in rows:
            key = RowKey(row.key)
            self._row_locations[key] = index
            self._data[key] = dict(zip(columns, self.plain_cells(row.cells, widths), strict=False))
            self.rows[key] = TableRow(key, 1)
            self._new_rows.add(key)
            index += 1
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.row_count and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()  # as add_row does for the first row: a cursor appears
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # With every column of fixed width, new rows cannot change any width, and our rows
        # are one line high: DataTable would still format and measure every new cell
        # (seconds for 10,000 rows), so only the table's overall size is updated.
        if self.columns and not any(c.auto_width for c in self.columns.values()):
            new_rows = ()
        super()._update_dimensions(new_rows)

    def _update_changed(self, row: Row, before: tuple[Any, ...]) -> None:
        for column, new, old in zip(self._columns, row.cells, before, strict=True):
            if _same(new, old):
                continue
            self.update_cell(row.key, column.key, new)

    def _reorder(self, order: list[str]) -> None:
        # DataTable.sort only sorts by cell values; our order comes from the backend's data
        # (severity, then age...), so set the row positions the way sort() itself does.
        self._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(order)})
        self._update_count += 1
        self.refresh()


def _first_of_each(rows: Sequence[Row]) -> list[Row]:
    seen: set[str] = set()
    first = []
    for row in rows:
        if row.key not in seen:
            seen.add(row.key)
            first.append(row)
    return first


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return bool(a == b)
