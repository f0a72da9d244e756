"""The parts of Textual's internals our widgets and driver rely on still exist and are of the
kind we use them as.

LeanDataTable and LiveTable (noc_tui/ui/widgets/) trim and clear DataTable's private render
caches and add, drop and reorder rows in one pass by writing its private bookkeeping;
NocDriver (noc_tui/ui/driver.py) replaces LinuxDriver's input thread with one that uses
textual._xterm_parser and LinuxDriver's private attributes. pyproject.toml pins Textual to
the minor series these tests run on; when that pin is moved, this file says what changed
instead of a table that draws stale rows or a console that no longer reads keys.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from threading import Event
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.cache import LRUCache
from textual.drivers.linux_driver import LinuxDriver
from textual.widgets import DataTable
from textual.widgets.data_table import Column, Row

from noc_tui.ui.driver import NocDriver
from noc_tui.ui.widgets.lean_table import LeanDataTable
from noc_tui.ui.widgets.live_table import LiveTable

# DataTable's private attributes we read or write, and the kind each must be.
DATA_TABLE_ATTRIBUTES: dict[str, type] = {
    "_cell_render_cache": LRUCache,  # LeanDataTable: maxsize trimmed, cleared per update
    "_row_render_cache": LRUCache,
    "_row_renderable_cache": LRUCache,
    "_line_cache": LRUCache,
    "_update_count": int,  # every cache key holds it; bumped to invalidate them all
    "_data": dict,  # LiveTable._add_many / _remove_many: cells by row key
    "_new_rows": set,  # rows to be measured on idle
    "_updated_cells": set,  # cells to be measured on idle
    "_row_locations": object,  # TwoWayDict: row order (checked by class name below)
    "_require_update_dimensions": bool,
}
# DataTable's private methods we call or override.
DATA_TABLE_METHODS = ("_highlight_cursor", "_update_dimensions")
# LinuxDriver's attributes NocDriver's input thread and writer use, and their kinds.
DRIVER_ATTRIBUTES: dict[str, type] = {
    "_file": object,  # wrapped in TerminalOutput; any file-like
    "_app": App,
    "_debug": bool,
    "_loop": object,  # asyncio loop, handed to leave()
    "exit_event": Event,
    "fileno": int,
}


def same_signature(ours: Callable[..., Any], theirs: Callable[..., Any]) -> str:
    """'' when both take the same parameters (names, kinds, defaults), else the difference."""
    mine, stock = inspect.signature(ours).parameters, inspect.signature(theirs).parameters
    shape = [(p.name, p.kind, p.default) for p in mine.values()]
    stock_shape = [(p.name, p.kind, p.default) for p in stock.values()]
    return "" if shape == stock_shape else f"ours {list(mine)} vs Textual's {list(stock)}"


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def test_data_table_private_attributes_are_there_after_mount() -> None:
    app = OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        await pilot.pause()
        for name, kind in DATA_TABLE_ATTRIBUTES.items():
            assert hasattr(table, name), f"DataTable.{name} is gone: LeanDataTable/LiveTable use it"
            value = getattr(table, name)
            assert isinstance(value, kind), (
                f"DataTable.{name} is now {type(value).__name__}, not {kind.__name__}"
            )
        for name in ("_cell_render_cache", "_row_render_cache", "_row_renderable_cache"):
            assert isinstance(getattr(table, name).maxsize, int), f"{name}.maxsize changed"
        assert type(table._row_locations).__name__ == "TwoWayDict", "DataTable._row_locations"
        from textual._two_way_dict import TwoWayDict  # LiveTable imports it from there

        assert isinstance(table._row_locations, TwoWayDict)
        for name in DATA_TABLE_METHODS:
            assert callable(getattr(table, name, None)), f"DataTable.{name}() is gone"
        table.add_column("a", key="a")
        table.add_row("1", key="r")
        await pilot.pause()
        # Our rows are built as DataTable builds them: Row(key, height); columns say auto_width.
        assert list(inspect.signature(Row).parameters)[:2] == ["key", "height"], "Row changed"
        assert all(
            isinstance(c, Column) and isinstance(c.auto_width, bool) for c in table.columns.values()
        )


@pytest.mark.parametrize(
    ("ours", "name"),
    [
        (LiveTable, "_update_dimensions"),
        (LeanDataTable, "render_lines"),
        (LeanDataTable, "add_row"),
        (LeanDataTable, "update_cell"),
    ],
)
def test_our_table_overrides_take_what_data_table_passes(ours: type, name: str) -> None:
    stock = getattr(DataTable, name, None)
    assert stock is not None, f"DataTable.{name} is gone: {ours.__name__} overrides it"
    difference = same_signature(getattr(ours, name), stock)
    assert not difference, f"{ours.__name__}.{name}: DataTable's signature changed: {difference}"


@pytest.mark.parametrize("name", ["__init__", "run_input_thread"])
def test_driver_overrides_still_match_linux_driver(name: str) -> None:
    stock = LinuxDriver.__dict__.get(name)
    assert stock is not None, f"LinuxDriver.{name} is gone: NocDriver overrides it"
    difference = same_signature(getattr(NocDriver, name), stock)
    assert not difference, f"NocDriver.{name}: LinuxDriver's signature changed: {difference}"


def test_xterm_parser_is_used_as_the_driver_uses_it() -> None:
    from textual._xterm_parser import XTermParser

    assert list(inspect.signature(XTermParser).parameters) == ["debug"], "XTermParser(debug)"
    parser = XTermParser(False)
    keys = list(parser.feed("a")) + list(parser.tick())
    assert keys and type(keys[0]).__name__ == "Key", f"XTermParser.feed('a') gave {keys}"
    assert isinstance(list(parser.feed("")), list)  # the input thread's last flush


async def test_linux_driver_attributes_the_input_thread_uses() -> None:
    import sys

    if sys.__stdin__ is None:
        pytest.skip("no stdin to build a LinuxDriver on")
    app: App[None] = App()
    driver = LinuxDriver(app, debug=False, mouse=False, size=(80, 24))
    for name, kind in DRIVER_ATTRIBUTES.items():
        assert hasattr(driver, name), f"LinuxDriver.{name} is gone: NocDriver uses it"
        value = getattr(driver, name)
        assert isinstance(value, kind), f"LinuxDriver.{name} is {type(value).__name__}"
    assert callable(driver.process_message), "LinuxDriver.process_message() is gone"
