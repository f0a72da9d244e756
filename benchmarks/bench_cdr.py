"""CDR benchmark: a 100,000-call window from the lab through the real client over loopback.

Measured in a child process (so its peak RSS is the client's own): time to the first batch of
parsed calls, total fetch+parse time, and peak RSS. It measures the client, not the screen.
"""

from __future__ import annotations

import json
import subprocess

CHILD = r"""
import asyncio, json, resource, time
from datetime import datetime, timedelta
from noc_tui.api import Backends
from noc_tui.api.kalliope_cdr import CdrQuery
from noc_tui.sim import Lab

lab = Lab(seed=3, cpes=10)
lab._sims["kalliope"].world.calls_per_hour = 2800  # ~100,000 calls over 48 hours (avg 2/3)
lab.start()

async def main():
    import dataclasses
    config = lab.config()
    config = dataclasses.replace(config, backends=tuple(
        dataclasses.replace(b, timeout_seconds=120.0) for b in config.backends))
    backends = Backends(config)
    client = backends.clients["kalliope"]
    end = datetime.utcnow().replace(microsecond=0, minute=0, second=0)
    query = CdrQuery(end - timedelta(hours=48), end)
    t0 = time.perf_counter(); first = None; count = 0
    async for batch in client.cdr(query):
        if batch and first is None:
            first = time.perf_counter() - t0
        count += len(batch)
    total = time.perf_counter() - t0
    await backends.aclose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"calls": count, "first": first, "total": total, "rss": rss}))

asyncio.run(main())
lab.stop()
"""


def run(python: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    out = (
        subprocess.run(
            [python, "-c", CHILD], env=env, capture_output=True, text=True, timeout=600, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    got = json.loads(out)
    return [
        ("CDR calls fetched", str(got["calls"]), "100,000-call window, day-sized requests"),
        ("CDR first batch", f"{got['first']:.2f} s", "target first row ≤ 1 s (client side)"),
        ("CDR fetch+parse", f"{got['total']:.2f} s", "target ≤ 4 s"),
        ("CDR peak RSS", f"{got['rss']:.0f} MB", "lab+client in one process; target ≤ 250 MB"),
    ]


if __name__ == "__main__":
    import os
    import sys

    for row in run(sys.executable, dict(os.environ)):
        print(*row, sep="  |  ")
