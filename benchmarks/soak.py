"""Soak: the wallboard against the lab for N minutes, 1-second polls, random backend faults.

Prints RSS at the first frame, after a warm-up (every page and every job once: what is made
once is not growth), each minute and at the end, the console's average CPU, the requests per
backend, and whether any tile still shows an error once the faults have ended. The lab runs
in its own process (as for --demo), so the figures are the console's alone. The app runs
headless: the terminal's own cost is not in the figures.

    python benchmarks/soak.py --minutes 10
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import gc
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from noc_tui.api import Backends  # noqa: E402
from noc_tui.cli import DemoLab, demo_watch_cpes  # noqa: E402
from noc_tui.ui.themes import load_themes  # noqa: E402
from noc_tui.ui.wallboard_app import WallboardApp  # noqa: E402
from noc_tui.ui.widgets.tile import Tile  # noqa: E402

FAULTS = ("down", "error_rate=0.5", "latency=2s", "garbage", "drop")
BACKENDS = ("krill", "librenms", "openwisp", "kalliope")
TARGET_RSS_GROWTH_MB = 5.0
TARGET_CPU = 5.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def census() -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Live objects by type, and how full every bounded cache is (lru_cache, LRU/FIFOCache)."""
    counts: dict[str, int] = {}
    caches: dict[str, tuple[int, int]] = {}
    for obj in gc.get_objects():
        kind = type(obj)
        name = kind.__qualname__
        counts[name] = counts.get(name, 0) + 1
        if isinstance(obj, functools._lru_cache_wrapper):
            info = obj.cache_info()
            key = f"lru {obj.__module__}.{obj.__qualname__}"
            size, limit = caches.get(key, (0, 0))
            caches[key] = (size + info.currsize, limit + (info.maxsize or 0))
        elif name in ("LRUCache", "FIFOCache"):
            key = f"{name}({getattr(obj, 'maxsize', '?')})"
            size, limit = caches.get(key, (0, 0))
            caches[key] = (size + len(obj), limit + 1)
    return counts, caches


def print_census_change(
    before: tuple[dict[str, int], dict[str, tuple[int, int]]],
    after: tuple[dict[str, int], dict[str, tuple[int, int]]],
) -> None:
    grown = sorted(((after[0].get(k, 0) - before[0].get(k, 0), k) for k in after[0]), reverse=True)[
        :12
    ]
    print("  objects grown:", ", ".join(f"{k} {d:+}" for d, k in grown if d > 0), flush=True)
    fuller = [(after[1][k][0] - before[1].get(k, (0, 0))[0], k, after[1][k]) for k in after[1]]
    for delta, key, (size, limit) in sorted(fuller, reverse=True)[:10]:
        if delta > 0:
            print(f"  cache {key}: {size} entries ({delta:+}), limit {limit}", flush=True)


async def set_fault(urls: dict[str, str], backend: str, spec: str) -> None:
    """Through another backend's port: a backend that is 'down' really stops listening."""
    url = next(u for name, u in urls.items() if name != backend)
    async with httpx.AsyncClient() as client:
        await client.post(f"{url}/_sim/faults", json={"backend": backend, "faults": spec})


async def soak(
    app: WallboardApp,
    lab_urls: dict[str, str],
    seconds: float,
    seed: int,
    warm_up: float,
    with_census: bool = False,
) -> dict[str, object]:
    rng = random.Random(seed)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(5)  # first polls, first page drawn
        first_rss = rss_mb()
        # Every page drawn once (the graphs page imports plotext), every slow job run once
        # (an hour of calls, the extension list): what is made once is not growth.
        await pilot.pause(warm_up)
        start_rss, start_cpu, start = rss_mb(), cpu_seconds(), time.monotonic()
        first = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
        samples = [start_rss]
        next_sample = start + 60
        first_census = last_census = census() if with_census else None
        fault_until = start + seconds * 0.8  # the last fifth is for recovery

        async def wait(period: float) -> None:
            nonlocal next_sample, last_census
            await pilot.pause(period)
            if time.monotonic() >= next_sample:
                samples.append(rss_mb())
                next_sample += 60
                if last_census is not None:
                    now = census()
                    print(f"minute {len(samples) - 1}: RSS {samples[-1]:.1f} MB", flush=True)
                    print_census_change(last_census, now)
                    last_census = now

        while time.monotonic() < fault_until:
            backend = rng.choice(BACKENDS)
            await set_fault(lab_urls, backend, rng.choice(FAULTS))
            await wait(rng.uniform(5, 20))
            await set_fault(lab_urls, backend, "")
            await wait(rng.uniform(5, 20))
        while time.monotonic() < start + seconds:
            await wait(1)
        if first_census is not None and last_census is not None:
            print("since the warm-up:", flush=True)
            print_census_change(first_census, last_census)
        wall = time.monotonic() - start
        if first is not None:  # --trace: where the memory that stayed was allocated
            for stat in tracemalloc.take_snapshot().compare_to(first, "traceback")[:8]:
                print(stat)
                for line in stat.traceback.format(limit=10):
                    print("   ", line)
        errors = [t.data.key for t in app.screen.query(Tile) if t.data.error]
        return {
            "rss_first_mb": first_rss,
            "rss_samples_mb": samples,
            "rss_start_mb": start_rss,
            "rss_end_mb": rss_mb(),
            "cpu_percent": 100 * (cpu_seconds() - start_cpu) / wall,
            "requests": {c.name: c.health.requests for c in app.backends},
            "errors_left": errors,
            "seconds": wall,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rotate", type=float, default=20.0, help="seconds per page")
    parser.add_argument("--trace", action="store_true", help="print tracemalloc's top growth")
    parser.add_argument(
        "--census", action="store_true", help="each minute: objects and cache entries that grew"
    )
    args = parser.parse_args()
    if args.trace:
        tracemalloc.start(10)
    lab = DemoLab()
    try:
        config = lab.config
        fast = tuple(dataclasses.replace(b, poll_seconds=1.0) for b in config.backends)
        ui = dataclasses.replace(
            config.ui, rotate_seconds=args.rotate, watch_cpes=demo_watch_cpes()
        )
        config = dataclasses.replace(config, backends=fast, ui=ui)
        app = WallboardApp(
            config, Backends(config, read_only=True), themes=load_themes(extra_dirs=[])
        )
        lab_urls = {b.name: b.base_url for b in config.backends}
        warm_up = 5 * args.rotate + 40  # five pages; the calls job runs every 30 s at most
        figures = asyncio.run(
            soak(app, lab_urls, args.minutes * 60, args.seed, warm_up, args.census)
        )
        figures["rotate"] = args.rotate
    finally:
        lab.stop()
    growth = figures["rss_end_mb"] - figures["rss_start_mb"]  # type: ignore[operator]
    print(
        f"soak: {figures['seconds']:.0f} s, 1-second polls, random faults, "
        f"a page every {figures['rotate']:g} s"
    )
    print(
        f"RSS at the first frame {figures['rss_first_mb']:.1f} MB; after the warm-up (every "
        f"page and job once) {figures['rss_start_mb']:.1f} MB; end {figures['rss_end_mb']:.1f} MB"
    )
    series = ", ".join(f"{mb:.1f}" for mb in figures["rss_samples_mb"])  # type: ignore[attr-defined]
    print(f"RSS each minute after the warm-up: {series} MB")
    print(f"RSS growth {growth:+.1f} MB (target ≤ {TARGET_RSS_GROWTH_MB:g})")
    print(f"CPU {figures['cpu_percent']:.1f} % of one core (target ≤ {TARGET_CPU:g})")
    for name, count in figures["requests"].items():  # type: ignore[attr-defined]
        print(f"requests {name}: {count}")
    print(f"errors left on screen after the faults: {figures['errors_left'] or 'none'}")
    ok = growth <= TARGET_RSS_GROWTH_MB and figures["cpu_percent"] <= TARGET_CPU  # type: ignore[operator]
    return 0 if ok and not figures["errors_left"] else 1


if __name__ == "__main__":
    sys.exit(main())
