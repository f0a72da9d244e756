"""LiveTable: a refresh keeps the cursor on its row, follows new order, and skips no-ops."""

from __future__ import annotations

from textual.app import App, ComposeResult

from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from tests.ui.helpers import wait_until


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LiveTable(id="t")


def rows(*items: tuple[str, str]) -> list[Row]:
    return [Row(key, (key, value)) for key, value in items]


async def test_cursor_stays_on_its_row_through_changes() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(LiveTable)
        table.set_columns([Column("name", "Name", 10), Column("state", "State", 10)])
        table.show(rows(("a", "ok"), ("b", "ok"), ("c", "ok")))
        table.focus()
        await pilot.press("down")
        assert table.cursor_key == "b"
        assert table.show(rows(("a", "ok"), ("b", "ok"), ("c", "ok"))) is False  # nothing changed
        table.show(
            rows(("z", "new"), ("c", "down"), ("b", "ok"), ("a", "ok"))
        )  # new row, new order
        await pilot.pause()
        assert table.cursor_key == "b" and table.cursor_row == 2
        assert [str(table.get_row_at(i)[0]) for i in range(4)] == ["z", "c", "b", "a"]
        assert str(table.get_row("c")[1]) == "down"
        table.show(rows(("z", "new"), ("b", "ok")))  # rows gone
        await pilot.pause()
        assert table.row_count == 2 and table.cursor_key == "b"


async def test_a_table_polled_for_hours_keeps_only_the_renders_on_screen() -> None:
    """A wall display redraws its tables on every poll for days: what it keeps of old draws
    must not grow with the number of polls (it kept RSS climbing for half an hour)."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        table.set_columns([Column("name", "Name", 10), Column("state", "State", 10)])

        async def poll(n: int) -> int:
            table.show([Row(f"r{i}", (f"r{i}", f"up {n}")) for i in range(10)])
            await pilot.pause()
            return len(table._cell_render_cache) + len(table._line_cache)

        kept_early = [await poll(n) for n in range(3)][-1]
        for n in range(3, 60):
            kept = await poll(n)
        assert str(table.get_row("r0")[1]) == "up 59"
        assert kept_early > 0
        assert kept <= kept_early


async def test_end_reaches_the_last_row_and_home_the_first() -> None:
    # The README lists `home end` for tables; DataTable binds them to columns.
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(LiveTable)
        table.set_columns([Column("name", "Name", 10), Column("state", "State", 10)])
        table.show(rows(*((f"r{i:02d}", "ok") for i in range(50))))
        table.focus()
        await pilot.press("end")
        await wait_until(pilot, lambda: table.cursor_key == "r49")
        assert table.scroll_y == table.max_scroll_y  # the last row is on screen
        await pilot.press("home")
        await wait_until(pilot, lambda: table.cursor_key == "r00")
        assert table.scroll_y == 0
