"""CPE screen figures on a lab of 100,000 CPEs (a separate process, real loopback HTTP).

The console runs headless in this process (Textual's run_test): the times are from the key
press to the state an operator would see, measured by polling the widgets every 5 ms.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from labs import free_port_block, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
CPES = 100_000
SAMPLES = 5


async def _until(pilot, check, limit: float = 20.0) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > limit:
            raise TimeoutError("the screen never got there")
        await pilot.pause(0.005)
    return time.perf_counter()


async def _measure(config_text: str) -> tuple[list[float], list[float]]:
    from noc_tui.api import Backends
    from noc_tui.config import parse_config
    from noc_tui.ui.app import NocApp
    from noc_tui.ui.screens.cpe_view import CpeViewScreen
    from noc_tui.ui.themes import load_themes
    from noc_tui.ui.widgets.graph import TimeGraph
    from noc_tui.ui.widgets.live_table import LiveTable

    config = parse_config(tomllib.loads(config_text))
    first_rows, views = [], []
    app = NocApp(config, Backends(config), start_screen="cpes", themes=load_themes(extra_dirs=[]))
    async with app.run_test(size=(150, 60)) as pilot:
        client = app.backends.of_kind("krill")[0]
        listing = await client.session.get_json(
            "/api/v2/isp/cpes/", {"limit": 10 * SAMPLES, "offset": CPES // 2, "attrs": "sn,tech"}
        )
        serials = [row["sn"] for row in listing["results"] if row["tech"] == "gpon"][:SAMPLES]
        for serial in serials:
            screen = app.screen
            search = screen.query_one("#search")
            search.value = serial
            search.focus()
            table = screen.query_one("#results", LiveTable)
            table.show([])
            start = time.perf_counter()
            screen.start_search(serial)  # what `enter` in the box calls, without Pilot's waits
            try:
                first_rows.append(
                    await _until(pilot, lambda table=table: table.row_count > 0) - start
                )
            except TimeoutError:
                raise TimeoutError(str(screen.query_one("#search-status").render())) from None
            table.focus()
            start = time.perf_counter()
            table.action_select_cursor()  # what `enter` on the row does
            await _until(pilot, lambda: isinstance(app.screen, CpeViewScreen))
            view = app.screen

            def complete(view: Any = view) -> bool:
                return (
                    view.details_loaded
                    and view.info is not None  # type: ignore[attr-defined]
                    and view.query_one("#txrx", LiveTable).row_count > 0
                    and (view.query_one("#graph-bw", TimeGraph).points > 0 or not view.info.online)
                )  # type: ignore[attr-defined]

            views.append(await _until(pilot, complete) - start)
            await pilot.press("escape")
            await pilot.pause(0.05)
    return first_rows, views


def run(python: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    port = free_port_block()
    sim = [python, "-m", "noc_tui", "sim", "--port", str(port), "--cpes", str(CPES)]
    config = subprocess.run(
        [*sim, "--print-config"], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    ).stdout
    lab = subprocess.Popen(
        sim, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    try:
        wait_for_port(port, 120)
        os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="noc-tui-bench-"))
        first_rows, views = asyncio.run(_measure(config))
    finally:
        lab.terminate()
        lab.wait(timeout=10)
    row, view = statistics.median(first_rows), statistics.median(views)
    return [
        (
            f"cpes: enter → first result row ({CPES:,} CPEs)",
            f"{row * 1000:.0f} ms",
            f"median of {SAMPLES} serials (target ≤ 300 ms)",
        ),
        (
            "cpes: enter → complete CPE view with graphs",
            f"{view * 1000:.0f} ms",
            f"median of {SAMPLES} (target ≤ 700 ms)",
        ),
    ]


if __name__ == "__main__":
    for name, value, note in run(sys.executable, dict(os.environ)):
        print(f"  {name:<48} {value:>9}  {note}")
