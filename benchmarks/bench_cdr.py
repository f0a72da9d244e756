"""CDR figures: a ~100,000-call range from the KalliopePBX lab, through the console.

Three processes, over real loopback HTTP:
  - the lab (this file with `--lab`): a PBX busy enough for ~100,000 calls in 48 hours;
  - the console (this file with `--console CONFIG`): headless (Textual's run_test, 120x40) on
    the call records screen; the 48-hour range is asked for as the operator's query would
    (`from=… to=…`), then the widgets are polled every 5 ms. Its peak RSS (VmHWM) is the
    console's own: no lab, no other benchmark in that process;
  - the client alone (`--client CONFIG`): the same range without a screen, for reference.
Targets (issue 5): first rows ≤ 1 s, all calls ≤ 4 s, console peak RSS ≤ 250 MB (we aim
well under 200 MB).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from labs import lab_in_child

ROOT = Path(__file__).resolve().parents[1]
CALLS_PER_HOUR = 2800  # the lab draws between half and all of it: ~2,100 an hour on average
HOURS = 48


def serve_lab() -> None:
    """Child: the lab PBX; prints its config, then serves until stdin closes."""
    from noc_tui.sim import Lab

    lab = Lab(port=0, seed=3, cpes=10)
    lab.sim("kalliope").world.calls_per_hour = CALLS_PER_HOUR
    lab.start()
    print(lab.config_toml(poll_seconds=3600), flush=True)
    print("ready", flush=True)
    sys.stdin.read()
    lab.stop()


def _range() -> tuple[datetime, datetime]:
    end = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    return end - timedelta(hours=HOURS), end


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _load_config(path: str) -> Any:
    import dataclasses
    import tomllib

    from noc_tui.config import parse_config

    config = parse_config(tomllib.loads(Path(path).read_text()))
    slow_ok = tuple(dataclasses.replace(b, timeout_seconds=60.0) for b in config.backends)
    return dataclasses.replace(config, backends=slow_ok)


async def _console(path: str) -> dict[str, Any]:
    from noc_tui.api import Backends
    from noc_tui.ui.app import NocApp
    from noc_tui.ui.cdr_query import parse
    from noc_tui.ui.themes import load_themes
    from noc_tui.ui.widgets.call_table import CallTable

    config = _load_config(path)
    app = NocApp(config, Backends(config), start_screen="cdr", themes=load_themes(extra_dirs=[]))
    async with app.run_test(size=(120, 40)) as pilot:
        screen: Any = app.screen
        table = screen.query_one(CallTable)
        await _until(pilot, lambda: screen.query_now is not None and not screen.loading)
        begin, end = _range()
        screen.spec = parse(f"from={begin:%Y-%m-%dT%H:%M} to={end:%Y-%m-%dT%H:%M}", end)
        stalls: list[float] = []
        watch = asyncio.create_task(_loop_stalls(stalls))
        start = time.perf_counter()
        screen.run_query()  # what `/` + enter on the query line does
        first = await _until(pilot, lambda: bool(table.calls)) - start
        # Coarser polling here: a 5 ms loop of Pilot's own would cost the console CPU time.
        total = await _until(pilot, lambda: not screen.loading, limit=120, every=0.05) - start
        watch.cancel()
        await pilot.pause()
        frame = time.perf_counter()
        await pilot.press("end")  # the last (oldest) call on screen: the table is whole
        await pilot.pause()
        jump = time.perf_counter() - frame
        return {
            "calls": len(table.calls),
            "first": first,
            "total": total,
            "jump": jump,
            "stall": max(stalls, default=0.0),
            "rss": _peak_rss_mb(),
            "summary": screen.tally.line(loading=False),
        }


async def _loop_stalls(stalls: list[float]) -> None:
    """How late a 10 ms sleep wakes up: the longest the UI's event loop could not react."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        stalls.append(time.perf_counter() - before - 0.01)


async def _client(path: str) -> dict[str, Any]:
    from noc_tui.api import Backends
    from noc_tui.api.kalliope_cdr import CdrQuery

    config = _load_config(path)
    backends = Backends(config)
    client = backends.clients["kalliope"]
    start, first, count = time.perf_counter(), None, 0
    async for batch in client.cdr(CdrQuery(*_range())):
        if batch and first is None:
            first = time.perf_counter() - start
        count += len(batch)
    total = time.perf_counter() - start
    await backends.aclose()
    return {"calls": count, "first": first, "total": total, "rss": _peak_rss_mb()}


async def _until(pilot: Any, check: Any, limit: float = 30.0, every: float = 0.005) -> float:
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > limit:
            raise TimeoutError("the screen never got there")
        await pilot.pause(every)
    return time.perf_counter()


def _child(python: str, env: dict[str, str], mode: str, config: str) -> dict[str, Any]:
    out = subprocess.run(
        [python, str(Path(__file__).resolve()), mode, config],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(python: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    with (
        lab_in_child([python, str(Path(__file__).resolve()), "--lab"], env) as text,
        tempfile.TemporaryDirectory() as folder,
    ):
        config = Path(folder) / "config.toml"
        config.write_text(text)
        config.chmod(0o600)
        env = {**env, "XDG_STATE_HOME": folder}
        ui = _child(python, env, "--console", str(config))
        alone = _child(python, env, "--client", str(config))
    calls = f"{ui['calls']:,} calls, {HOURS} h"
    return [
        (f"cdr: query → first rows on screen ({calls})", _ms(ui["first"]), "target ≤ 1 s"),
        ("cdr: query → every call in the table", _s(ui["total"]), "target ≤ 4 s"),
        (
            "cdr: worst event-loop stall during the load",
            _ms(ui["stall"]),
            "keys answered (≤ 100 ms)",
        ),
        ("cdr: `end` → the oldest call shown", _ms(ui["jump"]), "the table is whole"),
        ("cdr: console peak RSS (VmHWM)", f"{ui['rss']:.0f} MB", "target ≤ 250 MB, aim < 200"),
        (
            "cdr: client alone, fetch + parse",
            _s(alone["total"]),
            f"first batch {_ms(alone['first'])}, RSS {alone['rss']:.0f} MB",
        ),
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--lab"]:
        serve_lab()
    elif sys.argv[1:2] == ["--console"]:
        print(json.dumps(asyncio.run(_console(sys.argv[2]))))
    elif sys.argv[1:2] == ["--client"]:
        print(json.dumps(asyncio.run(_client(sys.argv[2]))))
    else:
        for name, value, note in run(sys.executable, dict(os.environ)):
            print(f"  {name:<48} {value:>9}  {note}")
