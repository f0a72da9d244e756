"""`enter` on an overview tile: open its screen, filtered to what the tile counted.

The screens keep their filters in public attributes and redraw through a public method; this
module sets those, so no screen needs to know the overview exists. A screen opened for the
first time is not mounted yet: its attributes are set before it draws, which is enough.
A view left open over the screen stays open; escape shows the filtered screen under it.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from noc_tui.ui.overview_data import Drill
from noc_tui.ui.services import services_of

MODES = {"devices-down": "devices", "openwisp": "devices"}


def open_drill(app: App[Any], drill: Drill) -> None:
    services_of(app).show(MODES.get(drill.mode, drill.mode))
    # The filters are the mode's own screen's, its base: `app.screen` is whatever was left
    # open over it (a row's view, a dialog, the keys), which has none of them.
    screen: Any = app.screen_stack[0]
    filters = dict(drill.filters)
    apply = {
        "alerts": _alerts,
        "devices-down": _devices_down,
        "openwisp": _openwisp,
        "pbx": _pbx,
        "cdr": _cdr,
        "cpes": _cpes,
    }.get(drill.mode)
    if apply is not None:
        apply(screen, filters)


def _redraw(target: Any, method: str) -> None:
    if target.is_mounted:
        getattr(target, method)()


def _alerts(screen: Any, filters: dict[str, str]) -> None:
    screen.state_filter = "not ok"
    screen.severity_filter = filters.get("severity", "any")
    _redraw(screen, "render_rows")


def _pane(screen: Any, source: str) -> Any:
    screen.source = source
    if screen.is_mounted:
        from textual.widgets import TabbedContent

        screen.query_one(TabbedContent).active = f"source-{source}"
    return next(p for p in screen.panes if source == p.SOURCE)


def _devices_down(screen: Any, filters: dict[str, str]) -> None:
    pane = _pane(screen, "librenms")
    pane.down_only = True
    _redraw(pane, "render_rows")


def _openwisp(screen: Any, filters: dict[str, str]) -> None:
    pane = _pane(screen, "openwisp")
    status = filters.get("status") or None
    if pane.is_mounted:
        pane.filter_status(status)  # the server filters: a new read of the list
    else:
        pane.status = status  # its first read will use it


def _pbx(screen: Any, filters: dict[str, str]) -> None:
    names = [pbx.name for pbx in screen.pbxes]
    if filters.get("pbx") in names:
        screen.pbx_index = names.index(filters["pbx"])
    screen.unregistered_only = bool(filters.get("unregistered"))
    _redraw(screen, "redraw")


def _cdr(screen: Any, filters: dict[str, str]) -> None:
    # The PBX the tile counted (a grouped tile: the worst one), over the last hour.
    names = [pbx.name for pbx in screen.pbxes]
    index = names.index(filters["pbx"]) if filters.get("pbx") in names else screen.pbx_index
    if screen.preset != "hour" or index != screen.pbx_index:
        screen.preset, screen.pbx_index = "hour", index
        _redraw(screen, "run_query")


def _cpes(screen: Any, filters: dict[str, str]) -> None:
    text = filters.get("search", "")
    if not text:
        return
    if screen.is_mounted:
        from textual.widgets import Input

        screen.query_one("#search", Input).value = text
        screen.start_search(text)
    else:
        screen.initial = text
