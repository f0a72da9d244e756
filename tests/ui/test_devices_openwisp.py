"""The OpenWISP tab as an operator uses it, over the real lab: filter, open, act."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.widgets import Static

from noc_tui.ui.screens.devices_openwisp import OpenWispDevicesPane
from noc_tui.ui.screens.openwisp_device import OpenWispDeviceScreen
from noc_tui.ui.widgets.confirm import TypedConfirm
from noc_tui.ui.widgets.live_table import LiveTable
from tests.ui.helpers import live_console, wait_until


def audit_lines() -> list[dict]:  # type: ignore[type-arg]
    path = Path(os.environ["XDG_STATE_HOME"]) / "noc-tui" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def applied(lab, skip: int = 0):  # type: ignore[no-untyped-def]
    rows = [
        d
        for d in lab.sim("openwisp").world.devices
        if d["config"] and d["config"]["status"] == "applied"
    ]
    return sorted(rows, key=lambda d: d["name"])[skip]


async def test_table_counts_and_filters(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world
    app = live_console(clean_lab, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count == len(world.devices))
        counts = str(pane.query_one("#ow-counts", Static).render())
        assert f"{len(world.devices)} devices" in counts and "✓" in counts and "applied" in counts
        table.focus()
        await pilot.press("s", "s", "s")  # all → applied → modified → error
        errors = [d for d in world.devices if (d["config"] or {}).get("status") == "error"]
        await wait_until(pilot, lambda: table.row_count == len(errors))
        assert all("✗ error" in str(table.get_row_at(i)[3]) for i in range(table.row_count))
        assert "status: error" in str(pane.query_one("#ow-filters", Static).render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: table.row_count == len(world.devices))
        await pilot.press("o")  # first organisation by name: "default"
        default = [d for d in world.devices if d["organization"] == world.organizations["default"]]
        await wait_until(pilot, lambda: table.row_count == len(default))
        await pilot.press("g")  # first group of that organisation by name
        await wait_until(pilot, lambda: table.row_count < len(default))
        await pilot.press("escape", "slash")
        await pilot.press(*"metro-bb")
        await wait_until(pilot, lambda: table.row_count == 4)
        assert str(table.get_row_at(0)[0]).startswith("metro-bb-")
        assert str(table.get_row_at(0)[1]) == "Metro ISP"


async def test_open_deactivate_activate_with_confirmation_and_audit(clean_lab) -> None:  # type: ignore[no-untyped-def]
    row = applied(clean_lab)
    app = live_console(clean_lab, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 30)
        table.focus()
        await pilot.press("slash", *row["name"], "enter")
        await wait_until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, OpenWispDeviceScreen))
        view = app.screen
        await wait_until(pilot, lambda: view.view is not None)
        detail = str(view.query_one("#ow-detail", Static).render())
        assert row["name"] in detail and "applied" in detail and "Templates" in detail
        assert "Location" in detail and row["key"] not in detail
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("n")  # cancelled: nothing sent
        await pilot.pause()
        assert row["config"]["status"] == "applied" and audit_lines() == []
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: "deactivated" in view.message)
        assert row["config"]["status"] == "deactivating"
        await wait_until(
            pilot, lambda: "deactivating" in str(view.query_one("#ow-detail", Static).render())
        )
        await pilot.press("a", "y")
        await wait_until(
            pilot, lambda: "activated" in view.message and "deactivated" not in view.message
        )
        assert row["config"]["status"] == "modified"
    lines = audit_lines()
    assert [(line["action"], line["outcome"]) for line in lines] == [
        ("deactivate device", "ok"),
        ("activate device", "ok"),
    ]
    assert all(line["target"] == row["name"] for line in lines)


async def test_reboot_and_command_followed_live(clean_lab) -> None:  # type: ignore[no-untyped-def]
    row = applied(clean_lab, skip=1)
    app = live_console(clean_lab, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 30)
        table.focus()
        await pilot.press("slash", *row["name"], "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, OpenWispDeviceScreen))
        view = app.screen
        follow = view.query_one("#ow-follow", Static)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: "success" in str(follow.render()))
        await pilot.press("c")
        await pilot.press(*"uptime", "enter")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: "up 41 days" in str(follow.render()))
        history = view.query_one("#ow-commands", LiveTable)
        await wait_until(pilot, lambda: history.row_count == 2)
        assert str(history.get_row_at(0)[1]) == "Custom commands"
    assert [line["action"] for line in audit_lines()] == ["run reboot", "run command 'uptime'"]


async def test_read_only_refuses_and_audits(clean_lab) -> None:  # type: ignore[no-untyped-def]
    row = applied(clean_lab, skip=2)
    app = live_console(clean_lab, read_only=True, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.screen.query_one("#ow-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 30)
        table.focus()
        await pilot.press("slash", *row["name"], "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, OpenWispDeviceScreen))
        await pilot.press("x")
        await wait_until(pilot, lambda: "read-only" in app.screen.message)
    assert row["config"]["status"] == "applied"
    assert [(r["action"], r["outcome"]) for r in audit_lines()] == [
        ("deactivate device", "refused")
    ]


async def test_delete_needs_a_deactivated_device_and_the_name_typed(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("openwisp").world

    def with_status(status: str):  # type: ignore[no-untyped-def]
        return next(d for d in world.devices if d["config"] and d["config"]["status"] == status)

    app = live_console(clean_lab, start_screen="openwisp")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        await wait_until(pilot, lambda: table.row_count > 30)

        async def open_device(name: str) -> OpenWispDeviceScreen:
            table.focus()
            await pilot.press("escape", "slash", *name, "enter")
            await wait_until(pilot, lambda: table.row_count == 1)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, OpenWispDeviceScreen))
            view = app.screen
            assert isinstance(view, OpenWispDeviceScreen)
            await wait_until(pilot, lambda: view.view is not None)
            return view

        for status, reason in (
            ("applied", "deactivate it first"),
            ("deactivating", "still deactivating"),
        ):
            view = await open_device(with_status(status)["name"])
            await pilot.press("delete")  # explained, nothing asked, nothing sent
            await pilot.pause()
            assert reason in view.message and app.screen is view
            await pilot.press("escape")
            await wait_until(pilot, lambda view=view: app.screen is not view)
        row = with_status("deactivated")
        view = await open_device(row["name"])
        await pilot.press("delete", "enter")  # a bare confirm does not delete: the name is wanted
        await pilot.pause()
        assert row in world.devices and isinstance(app.screen, TypedConfirm)
        await pilot.press(*row["name"], "enter")
        await wait_until(pilot, lambda: row not in world.devices)
        await wait_until(pilot, lambda: app.screen.query(OpenWispDevicesPane))  # back on the table
    assert [(r["action"], r["outcome"], r["target"]) for r in audit_lines()] == [
        ("delete device", "ok", row["name"])
    ]


async def test_switching_to_the_tab_puts_the_keys_on_its_table(clean_lab) -> None:  # type: ignore[no-untyped-def]
    app = live_console(clean_lab, start_screen="devices")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        pane = app.screen.query_one(OpenWispDevicesPane)
        table = pane.query_one("#ow-table", LiveTable)
        await wait_until(pilot, lambda: app.focused is table)
        await pilot.press("s")  # no click, no tab: the status filter answers at once
        await wait_until(
            pilot, lambda: "status: applied" in str(pane.query_one("#ow-filters", Static).render())
        )
