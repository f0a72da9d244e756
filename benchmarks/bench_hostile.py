"""The console under hostile answers: its memory while the lab serves gzip bombs and huge
bodies, and that it stays alive and honest about them.

The lab runs as `noc-tui sim` in its own process; the console is a real process on a 120x40
pty with the default `max_response_mb` (128), polling every backend every 2 s for
HOSTILE_SECONDS. Each line is the console's peak RSS (VmHWM) with every backend answering
  - nothing odd (the reference),
  - `bomb=1024`: a 1 MB gzip body that inflates to 1 GiB,
  - `huge=2048`: 2 GiB of valid rows, chunked, no Content-Length.
Before the bounded reader, a bomb took the console to 12 GB and a huge body to 5 GB; before
big answers took turns (one past 8 MB at a time), four huge answers at once took 1 GB.
Target (issue 14): the limit plus a margin: at most twice the limit above the reference (the
body up to the limit, and what a streamed CDR answer parsed before it was refused).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import peak_rss_mb, run_on_pty
from labs import free_port_block, wait_for_port

SECONDS = float(os.environ.get("BENCH_HOSTILE_SECONDS", "20"))
BACKENDS = ("krill", "librenms", "openwisp", "kalliope")
CASES = (("reference, no fault", ""), ("gzip bomb, 1 GiB inflated", "bomb=1024"))
CASES += (("huge body, 2 GiB, no length", "huge=2048"),)
LIMIT_MB = 128


def peak_under(python: str, env: dict[str, str], fault: str) -> tuple[float, bool]:
    """The console's peak RSS over SECONDS of polls against every backend with `fault`, and
    whether it was still running at the end."""
    port = free_port_block()
    sim = [python, "-m", "noc_tui", "sim", "--port", str(port), "--cpes", "100"]
    if fault:
        sim += ["--faults", ",".join(f"{backend}:{fault}" for backend in BACKENDS)]
    config = subprocess.run(
        [*sim, "--print-config"], capture_output=True, text=True, check=True, env=env
    )
    text = config.stdout.replace("poll_seconds = 5", "poll_seconds = 2")
    lab = subprocess.Popen(sim, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text)
        path.chmod(0o600)
        proc = None
        try:
            wait_for_port(port + 3, 30)
            proc, master, _ = run_on_pty([python, "-m", "noc_tui", "--config", str(path)], env)
            time.sleep(SECONDS)
            alive = proc.poll() is None
            rss = peak_rss_mb(proc.pid) if alive else float("nan")
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
                os.close(master)
            lab.terminate()
            lab.wait(timeout=10)
    return rss, alive


def run(python: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    rows = []
    reference = 0.0
    for name, fault in CASES:
        rss, alive = peak_under(python, env, fault)
        note = f"{SECONDS:.0f} s of polls at 2 s"
        if not fault:
            reference = rss
        else:
            note += f" (target ≤ {reference + 2 * LIMIT_MB:.0f} MB)"
        if not alive:
            note += " — the console DIED"
        rows.append((f"peak RSS, {name}", f"{rss:.0f} MB", note))
    return rows


if __name__ == "__main__":
    for row in run(os.environ.get("PYTHON", "python3"), dict(os.environ)):
        print(f"  {row[0]:<48} {row[1]:>9}  {row[2]}")
