"""What one console asks of each backend, at a fleet of 1,000 and of 50,000 devices.

The lab (this file with `--lab SIZE`) holds SIZE LibreNMS devices and SIZE OpenWISP devices
(the lab's default 0.1% of its added devices down) and the same ALERTS open alerts at every
size, and counts what every backend is asked (noc_tui/sim/traffic.py). Each console runs in
its own process (this file with `--console SCREEN CONFIG`), headless (Textual's run_test) on
the overview or the wallboard, every backend polled every POLL_SECONDS, for SECONDS:
  1. whole: every request and answer byte from the console's start to the end of SECONDS,
     start-up included (the hourly fleet read among them);
  2. steady: counted afresh once every poll job has shown its first answer, over a whole
     number of poll periods, scaled to a minute;
  3. the console's CPU seconds over SECONDS (start-up included), its peak RSS (VmHWM) and
     its RSS at the end (VmRSS).
Targets (issue 16): steady state at 50k ≤ 1.2x the requests and ≤ 1.5x the bytes of 1k.
Knobs: BENCH_FLEET_SECONDS (60), BENCH_FLEET_SIZES ("1000,50000"), BENCH_FLEET_SCREENS.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from labs import lab_in_child

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_FLEET_SECONDS", "60"))
SIZES = [int(s) for s in os.environ.get("BENCH_FLEET_SIZES", "1000,50000").split(",")]
SCREENS = os.environ.get("BENCH_FLEET_SCREENS", "overview,wallboard").split(",")
ALERTS = 500
POLL_SECONDS = 10
CONSOLES = 10  # "what ten consoles would cost a backend"
FIRST_POLLS_LIMIT = 120.0  # seconds for every job's first answer (50k devices read whole)
# What a steady-state figure is, per backend: requests and bytes per minute.
Figures = dict[str, dict[str, float]]


def serve_lab(size: int) -> None:
    """Child: the lab at one fleet size; prints its config, then serves until stdin closes."""
    from noc_tui.sim import Lab

    lab = Lab(seed=1, librenms_devices=size, openwisp_devices=size, alerts=ALERTS)
    lab.start()
    print(lab.config_toml(poll_seconds=POLL_SECONDS), flush=True)
    print("ready", flush=True)
    sys.stdin.read()
    lab.stop()


def _counts(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"requests": v["requests"], "bytes": v["bytes"], "paths": v["paths"]}
        for name, v in snapshot.items()
    }


def _added(*snapshots: dict[str, Any]) -> dict[str, dict[str, Any]]:
    total: dict[str, dict[str, Any]] = {}
    for snapshot in snapshots:
        for name, v in snapshot.items():
            into = total.setdefault(name, {"requests": 0, "bytes": 0, "paths": {}})
            into["requests"] += v["requests"]
            into["bytes"] += v["bytes"]
            for path, n in v["paths"].items():
                into["paths"][path] = into["paths"].get(path, 0) + n
    return total


def _rss_mb(field: str) -> float:
    """VmHWM: the peak resident set; VmRSS: what is resident now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _console(screen_name: str, config_text: str) -> dict[str, Any]:
    """Child: one console on one screen for SECONDS; what the lab counted, and what it cost."""
    import httpx

    from noc_tui.api import Backends
    from noc_tui.config import parse_config
    from noc_tui.ui.app import NocApp
    from noc_tui.ui.themes import load_themes
    from noc_tui.ui.wallboard_app import WallboardApp

    config = parse_config(tomllib.loads(config_text))
    # The lab shares one counter among its ports: any of them gives every backend's counts.
    traffic = f"{config.backends[0].url}/_sim/traffic"
    async with httpx.AsyncClient() as lab:
        await lab.post(traffic)
        cpu = time.process_time()
        start = time.perf_counter()
        # Built as `noc-tui --wallboard` builds it: a wall is read-only.
        wall = screen_name == "wallboard"
        app_class = WallboardApp if wall else NocApp
        app = app_class(
            config,
            Backends(config, read_only=wall),
            start_screen=screen_name,
            themes=load_themes(extra_dirs=[]),
        )
        async with app.run_test(size=(120, 40)) as pilot:
            screen: Any = app.screen
            while screen.poller is None or any(
                job.key not in screen.polls_shown for job in screen.poller.jobs
            ):
                if time.perf_counter() - start > FIRST_POLLS_LIMIT:
                    raise TimeoutError(f"{screen_name}: not every poll job answered")
                await pilot.pause(0.02)
                screen = app.screen
            first = time.perf_counter() - start
            startup = (await lab.get(traffic)).json()
            await lab.post(traffic)
            cleared = time.perf_counter()
            # A whole number of poll periods, so each 10 s job is counted as often as it asks.
            periods = math.floor((start + SECONDS - cleared) / POLL_SECONDS)
            if periods < 1:
                raise RuntimeError(f"BENCH_FLEET_SECONDS={SECONDS:.0f} leaves no steady period")
            window = periods * POLL_SECONDS
            await asyncio.sleep(cleared + window - time.perf_counter())
            steady = (await lab.get(traffic)).json()
            await asyncio.sleep(max(0.0, start + SECONDS - time.perf_counter()))
            rest = (await lab.get(traffic)).json()
            used = time.process_time() - cpu
            resident = _rss_mb("VmRSS")  # still running: what it holds after the minute
            jobs = [job.key for job in screen.poller.jobs]
    return {
        "first_answers": first,
        "window": window,
        "whole": _added(startup, rest),
        "steady": _counts(steady),
        "cpu": used,
        "rss": _rss_mb("VmHWM"),
        "resident": resident,
        "jobs": jobs,
    }


def per_minute(counts: dict[str, dict[str, Any]], seconds: float) -> Figures:
    return {
        name: {"requests": v["requests"] * 60 / seconds, "bytes": v["bytes"] * 60 / seconds}
        for name, v in counts.items()
    }


def measure(python: str, env: dict[str, str]) -> dict[tuple[str, int], dict[str, Any]]:
    """Every (screen, size): a lab child per size, a console child per screen."""
    results: dict[tuple[str, int], dict[str, Any]] = {}
    env = {**env, "XDG_STATE_HOME": env.get("XDG_STATE_HOME") or tempfile.mkdtemp()}
    for size in SIZES:
        argv = [python, str(Path(__file__).resolve()), "--lab", str(size)]
        with lab_in_child(argv, env) as config, tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.toml"
            path.write_text(config)
            path.chmod(0o600)
            for screen in SCREENS:
                child = subprocess.run(
                    [python, str(Path(__file__).resolve()), "--console", screen, str(path)],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=ROOT,
                    timeout=SECONDS + FIRST_POLLS_LIMIT + 60,
                )
                if child.returncode:
                    raise RuntimeError(f"fleet {screen} at {size}: {child.stderr[-2000:]}")
                results[(screen, size)] = json.loads(child.stdout.splitlines()[-1])
    return results


def rows(results: dict[tuple[str, int], dict[str, Any]]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    small, big = min(SIZES), max(SIZES)
    for screen in SCREENS:
        steady: dict[int, Figures] = {}
        for size in SIZES:
            got = results[(screen, size)]
            steady[size] = per_minute(got["steady"], got["window"])
            whole = per_minute(got["whole"], SECONDS)
            for name in sorted(whole):
                s = steady[size].get(name, {"requests": 0.0, "bytes": 0.0})
                out.append(
                    (
                        f"fleet {screen} {size:,}: {name}",
                        f"{s['requests']:.0f} req/min",
                        f"{_kb(s['bytes'])}/min steady; all {SECONDS:.0f} s, start-up in, per min"
                        f" {whole[name]['requests']:.0f} req, {_kb(whole[name]['bytes'])}",
                    )
                )
            out.append(
                (
                    f"fleet {screen} {size:,}: console",
                    f"{got['cpu']:.2f} s CPU",
                    f"over {SECONDS:.0f} s; RSS peak {got['rss']:.0f} MB, at the end"
                    f" {got['resident']:.0f} MB; every job answered after"
                    f" {got['first_answers']:.1f} s",
                )
            )
        if big != small:
            for name in sorted(steady[big]):
                a, b = steady[small].get(name), steady[big][name]
                if not a:
                    continue
                requests = _ratio(b["requests"], a["requests"])
                size_bytes = _ratio(b["bytes"], a["bytes"])
                out.append(
                    (
                        f"fleet {screen} {_short(big)}/{_short(small)} steady: {name}",
                        f"{requests:.2f}x req",
                        f"{size_bytes:.2f}x bytes (targets ≤ 1.2x, ≤ 1.5x)",
                    )
                )
        ten = steady[big]
        out.append(
            (
                f"fleet {screen} {big:,}: {CONSOLES} consoles cost",
                f"{sum(v['requests'] for v in ten.values()) * CONSOLES:.0f} req/min",
                "; ".join(
                    f"{name} {v['requests'] * CONSOLES:.0f} req {_kb(v['bytes'] * CONSOLES)}"
                    for name, v in sorted(ten.items())
                )
                + " a minute",
            )
        )
    return out


def _ratio(big: float, small: float) -> float:
    return big / small if small else float("inf") if big else 1.0


def _short(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _kb(count: float) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


def run(python: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    results = measure(python, env)
    if os.environ.get("BENCH_FLEET_PATHS"):  # which paths each backend was asked, steady
        for (screen, size), got in results.items():
            print(f"  {screen} {size:,}, steady over {got['window']:.0f} s:", file=sys.stderr)
            for name, counts in sorted(got["steady"].items()):
                for path, n in sorted(counts["paths"].items()):
                    print(f"    {name:<10} {n:>4}  {path}", file=sys.stderr)
    return rows(results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--lab"]:
        serve_lab(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--console"]:
        config_text = Path(sys.argv[3]).read_text()
        print(json.dumps(asyncio.run(_console(sys.argv[2], config_text))))
    else:
        for name, value, note in run(sys.executable, dict(os.environ)):
            print(f"  {name:<48} {value:>9}  {note}")
