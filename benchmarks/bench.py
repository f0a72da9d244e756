"""`make bench`: start-up time, idle CPU and peak memory of the console, measured for real.

Every run is a real process on a real pseudo-terminal (120x40):
  1. start: process start → the terminal has received the first overview frame (its text is
     read off the pty), `noc-tui --demo` vs a bare Textual app with one Static (median of RUNS);
  2. idle: the console against the lab (run in its own process) with every backend polled every
     5 s: CPU time of the console process over 30 s, as % of one core, and its peak RSS.
Targets (from the foundation issue): start ≤ 2x bare, idle CPU ≤ 3 %, RSS ≤ 120 MB.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

from labs import free_port_block

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
SETTLE_SECONDS = 5.0
# The frame is on screen once its last part reaches the terminal: the bare app's one word,
# the overview's health table heading (below the tiles and the lists).
BARE_MARKER = b"bare Textual app"
OVERVIEW_MARKER = b"Backend health"
TICKS = os.sysconf("SC_CLK_TCK")


def run_on_pty(
    argv: list[str], env: dict[str, str], marker: bytes = b""
) -> tuple[subprocess.Popen[bytes], int, threading.Event]:
    """Start argv on a new 120x40 pty; the event is set once `marker` reaches the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**env, "TERM": "xterm-256color"}
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    seen = threading.Event()
    threading.Thread(target=_drain, args=(master, marker, seen), daemon=True).start()
    return proc, master, seen


def _drain(master: int, marker: bytes, seen: threading.Event) -> None:
    """Read the terminal output (so the app never blocks on a full pty), watching for marker."""
    tail = b""
    try:
        while chunk := os.read(master, 65536):
            if marker and not seen.is_set():
                tail = (tail + chunk)[-(len(chunk) + len(marker)) :]
                if marker in tail:
                    seen.set()
    except OSError:
        pass


def first_frame_seconds(argv: list[str], env: dict[str, str], marker: bytes) -> float:
    """Process start → the terminal has received a frame showing `marker` (what a user sees)."""
    started = time.monotonic()
    proc, master, seen = run_on_pty(argv, env, marker)
    shown = seen.wait(timeout=30)
    elapsed = time.monotonic() - started
    proc.terminate()  # SIGTERM: the console leaves cleanly and its demo lab with it
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(master)
    if not shown:
        raise RuntimeError(f"{argv} never showed {marker!r}")
    return elapsed


def median_start(argv: list[str], env: dict[str, str], marker: bytes) -> float:
    first_frame_seconds(argv, env, marker)  # warm the disk cache; not counted
    return statistics.median(first_frame_seconds(argv, env, marker) for _ in range(RUNS))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def idle_figures(python: str, env: dict[str, str]) -> tuple[float, float]:
    port = free_port_block()
    sim = [python, "-m", "noc_tui", "sim", "--port", str(port)]
    config = subprocess.run(
        [*sim, "--print-config"], capture_output=True, text=True, check=True, env=env
    )
    lab = subprocess.Popen(sim, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(config.stdout)
        path.chmod(0o600)
        time.sleep(2)  # the lab binds its ports
        try:
            return idle_console(python, env, path)
        finally:
            lab.terminate()
            lab.wait(timeout=10)


def idle_console(
    python: str, env: dict[str, str], config: Path, settle: float = SETTLE_SECONDS
) -> tuple[float, float]:
    """A console on a pty, left alone: its CPU over IDLE_SECONDS (% of one core) once its
    first polls are in (`settle`), and its peak RSS (MB)."""
    proc, master, _ = run_on_pty([python, "-m", "noc_tui", "--config", str(config)], env)
    try:
        time.sleep(settle)
        before = cpu_seconds(proc.pid)
        time.sleep(IDLE_SECONDS)
        used = cpu_seconds(proc.pid) - before
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        os.close(master)
    return 100 * used / IDLE_SECONDS, rss


def main() -> int:
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL")}
    env["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="noc-tui-bench-")
    # An installed wheel has its bytecode compiled; an editable checkout may not (and
    # PYTHONDONTWRITEBYTECODE may forbid caching it), so compile first for a fair start.
    subprocess.run(
        [python, "-m", "compileall", "-q", "noc_tui", "benchmarks"], cwd=ROOT, check=True
    )
    print(f"noc-tui bench: {RUNS} start runs each, idle over {IDLE_SECONDS:.0f} s, 120x40 pty")
    bare = median_start([python, "benchmarks/bare_app.py"], env, BARE_MARKER)
    demo = median_start([python, "-m", "noc_tui", "--demo"], env, OVERVIEW_MARKER)
    cpu, rss = idle_figures(python, env)
    rows = [
        ("start, bare Textual app (reference)", f"{bare * 1000:.0f} ms", ""),
        (
            "start, noc-tui --demo to first overview frame",
            f"{demo * 1000:.0f} ms",
            f"{demo / bare:.2f}x bare (target ≤ 2x)",
        ),
        ("idle CPU, 4 backends polled every 5 s", f"{cpu:.2f} %", "of one core (target ≤ 3 %)"),
        ("peak RSS of the console", f"{rss:.0f} MB", "(target ≤ 120 MB)"),
    ]
    ok = demo <= 2 * bare and cpu <= 3 and rss <= 120
    for name, value, note in rows:
        print(f"  {name:<48} {value:>9}  {note}")
    # Each screen's figures live in benchmarks/bench_<screen>.py: run() -> [(name, value, note)].
    for module in sorted(Path(__file__).parent.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(module.stem, module)
        assert spec and spec.loader
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        print(f"{module.stem.removeprefix('bench_')}:")
        for name, value, note in loaded.run(python, env):
            print(f"  {name:<48} {value:>9}  {note}")
    print("foundation targets met" if ok else "some foundation targets missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
