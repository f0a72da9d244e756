"""A NOC of many backends (30 PBXes, 3 LibreNMS, 2 Krill: 35) against one of each (3): start-up
to the first overview frame and idle CPU of the console, on a real 120x40 pty, the lab in its
own process. Targets (#16): idle CPU ≤ 3 % of one core, start ≤ 1.3x one of each.

Run alone: `python benchmarks/bench_many.py` (or as part of `make bench`).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import OVERVIEW_MARKER, first_frame_seconds, idle_console  # noqa: E402
from labs import free_port_block, lab_in_child  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SETTLE_SECONDS = 8.0  # the first polls of 35 backends are in
PBXES = 30

# The child: the lab with 30 PBXes on consecutive ports; prints both configs, then `ready`.
LAB_CHILD = """
import sys
from noc_tui.sim import Lab
from noc_tui.sim.credentials import lab_config_toml
lab = Lab(port={port}, pbxes={pbxes})
lab.start()
urls = {{b.name: b.url for b in lab.backends}}
many = {{"librenms": "librenms", "librenms-2": "librenms", "librenms-3": "librenms",
        "krill": "krill", "krill-2": "krill"}}
for name in ("librenms-2", "librenms-3"):
    urls[name] = urls["librenms"]
urls["krill-2"] = urls["krill"]
many.update({{b.name: "kalliope" for b in lab.backends if b.kind == "kalliope"}})
one = {{"librenms": "librenms", "krill": "krill", "kalliope": "kalliope"}}
print(lab_config_toml(urls, 1, 5, one))
print("=====")
print(lab_config_toml(urls, 1, 5, many))
print("ready", flush=True)
sys.stdin.read()
lab.stop()
"""


def run(python: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    port = free_port_block(count=PBXES + 3)
    child = [python, "-c", LAB_CHILD.format(port=port, pbxes=PBXES)]
    with lab_in_child(child, env) as printed, tempfile.TemporaryDirectory() as folder:
        one_text, many_text = printed.split("=====\n")
        configs = {}
        for name, text in (("one", one_text), ("many", many_text)):
            path = Path(folder) / f"{name}.toml"
            path.write_text(text)
            path.chmod(0o600)
            configs[name] = path
        start: dict[str, float] = {}
        for name, path in configs.items():
            argv = [python, "-m", "noc_tui", "--config", str(path)]
            first_frame_seconds(argv, env, OVERVIEW_MARKER)  # warm the caches; not counted
            runs = [first_frame_seconds(argv, env, OVERVIEW_MARKER) for _ in range(RUNS)]
            start[name] = statistics.median(runs)
        cpu = {
            name: idle_console(python, env, path, SETTLE_SECONDS)[0]
            for name, path in configs.items()
        }
    ratio = start["many"] / start["one"]
    return [
        ("start, 1 LibreNMS + 1 Krill + 1 PBX", f"{start['one'] * 1000:.0f} ms", "first frame"),
        ("start, 35 backends", f"{start['many'] * 1000:.0f} ms", f"{ratio:.2f}x (target ≤ 1.3x)"),
        ("idle CPU, 3 backends polled every 5 s", f"{cpu['one']:.2f} %", "of one core"),
        ("idle CPU, 35 backends polled every 5 s", f"{cpu['many']:.2f} %", "(target ≤ 3 %)"),
    ]


if __name__ == "__main__":
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL")}
    environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="noc-tui-bench-")
    for row in run(sys.executable, environ):
        print(f"  {row[0]:<40} {row[1]:>9}  {row[2]}")
