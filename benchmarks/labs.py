"""The lab for a benchmark, in its own process so its CPU and memory are not the console's."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port_block(count: int = 4) -> int:
    for base in range(18800, 40000, 10):
        try:
            for port in range(base, base + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free block of ports on 127.0.0.1")


def wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError("the lab did not start")


@contextlib.contextmanager
def lab_in_child(argv: list[str], env: dict[str, str]) -> Iterator[str]:
    """Run a bench's lab child, which prints its config, then `ready`, and serves until its
    stdin closes; yield the config text."""
    lab = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert lab.stdout is not None
        lines = []
        for line in lab.stdout:
            if line.strip() == "ready":
                break
            lines.append(line)
        yield "".join(lines)
    finally:
        if lab.stdin:
            lab.stdin.close()
        lab.wait(timeout=10)
