"""A NOC of 35 backends (30 PBXes, 3 LibreNMS, 2 Krill): the overview groups the tiles of a kind
into one, counts right, names the worst, opens the worst's screen, and the status bar sums up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from noc_tui.sim import Lab
from noc_tui.ui.overview_data import OverviewData, member_level
from noc_tui.ui.widgets.health_table import HealthTable
from noc_tui.ui.widgets.status_bar import BackendStatusBar
from noc_tui.ui.widgets.tile import Tile
from tests.ui.helpers import tile_text, wait_for_first_polls, wait_until
from tests.ui.many_helpers import PBXES, SMALL, many_live_console

DOWN = ("librenms-3", "kalliope-7")  # configured at ports where nothing answers


@pytest.fixture(scope="module")
def many_lab() -> Iterator[Lab]:
    lab = Lab(seed=1, cpes=20, pbxes=PBXES, extensions=SMALL)
    lab.start()
    yield lab
    lab.stop()


def not_ok(data: OverviewData, kind: str, down: set[str]) -> list[str]:
    """The backends whose own tile of `kind` is not ok, as the group must count them."""
    tiles = [t for t in data.tiles(down) if t.key.startswith(f"{kind}:")]
    return [t.backend for t in tiles if member_level(t) in ("down", "degraded")]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_thirty_pbxes_make_one_tile_that_counts_them(many_lab, size) -> None:  # type: ignore[no-untyped-def]
    app = many_live_console(many_lab, down=DOWN)
    async with app.run_test(size=size) as pilot:
        await wait_for_first_polls(pilot)
        bar = app.screen.query_one(BackendStatusBar)
        # Both down backends named, in config order, on a line that fits the screen.
        await wait_until(
            pilot, lambda: "✗ 2 down: librenms-3, kalliope-7" in bar.render_status().plain
        )
        status = bar.render_status().plain
        assert "✓ 33 ok" in status and status.count("\n") < 2, status
        assert all(len(line) <= size[0] - 2 for line in status.splitlines()), status

        # The health table puts the down ones on top, where 80x24 shows them.
        table = app.screen.query_one(HealthTable)
        await wait_until(pilot, lambda: table.row_names[:2] == list(DOWN))
        assert len(table.row_names) == 35

        tiles = {tile.data.key: tile for tile in app.screen.query(Tile)}
        assert not any(key.startswith(("pbx:", "calls:", "alerts:", "devices:")) for key in tiles)
        data: OverviewData = app.screen.data  # type: ignore[attr-defined]
        pbx, calls = tiles["group:pbx"], tiles["group:calls"]
        for tile, kind in ((pbx, "pbx"), (calls, "calls")):
            await wait_until(pilot, lambda tile=tile: tile.data.lines[0] == "✗ kalliope-7 is down")

            def counted(tile: Tile = tile, kind: str = kind) -> bool:
                # What the tile shows is what the PBXes' own tiles say (polls go on meanwhile).
                bad = not_ok(data, kind, set(DOWN))
                words = f"{len(bad)} of {PBXES} PBXes not ok"
                return (
                    "kalliope-7" in bad
                    and tile.data.word == words
                    and tile.data.count == str(len(bad))
                    and words in tile_text(tile)
                )

            await wait_until(pilot, counted)
            # Worst first: the PBX that does not answer leads the lines.
            assert tile.data.lines[0] == "✗ kalliope-7 is down"
            assert tile.level == "down"
        lnms = tiles["group:alerts"]
        # The overview redraws at most once a second with many backends: the tile may come
        # a moment after the status bar says the backend is down.
        await wait_until(pilot, lambda: "librenms-3 is down" in lnms.data.lines[0])
        assert lnms.data.word.endswith("of 3 LibreNMS not ok")

        # Enter on the grouped tile opens the PBX screen on the worst PBX.
        pbx.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.NAME == "pbx")  # type: ignore[attr-defined]
        screen = app.screen
        assert screen.pbxes[screen.pbx_index].name == "kalliope-7"  # type: ignore[attr-defined]


async def test_one_of_each_keeps_a_tile_per_backend(clean_lab) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.helpers import live_console

    app = live_console(clean_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_first_polls(pilot)
        keys = {tile.data.key for tile in app.screen.query(Tile)}
        assert "pbx:kalliope" in keys and "calls:kalliope" in keys
        assert not any(key.startswith("group:") for key in keys)
