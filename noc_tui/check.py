"""`noc-tui check`: one cheap authenticated request per backend, one line each."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass
from typing import TextIO

from noc_tui.api import ApiClient, Backends
from noc_tui.api.errors import BackendError
from noc_tui.config import Config
from noc_tui.untrusted import one_line

REASON_CELLS = 300


@dataclass(frozen=True)
class CheckLine:
    name: str
    kind: str
    url: str
    ok: bool
    latency_ms: float
    reason: str


async def check_backends(config: Config) -> list[CheckLine]:
    backends = Backends(config, read_only=True)
    try:
        return list(await asyncio.gather(*(_check_one(client) for client in backends)))
    finally:
        await backends.aclose()


async def _check_one(client: ApiClient) -> CheckLine:
    started = time.monotonic()
    try:
        result = await client.ping()
    except BackendError as error:
        ok, reason = False, error.title.removeprefix(f"{client.name}: ")
    else:
        ok, reason = True, result.summary
    latency = (time.monotonic() - started) * 1000
    # The reason is the server's own words: on the operator's terminal as plain text.
    reason = one_line(reason, REASON_CELLS)
    return CheckLine(client.name, client.kind, client.settings.display_url, ok, latency, reason)


def print_lines(lines: list[CheckLine], as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump([asdict(line) for line in lines], out, indent=2)
        out.write("\n")
        return
    width = max([len(line.name) for line in lines] + [4])
    url_width = max([len(line.url) for line in lines] + [3])
    for line in lines:
        status = "OK  " if line.ok else "FAIL"
        out.write(
            f"{line.name:<{width}}  {line.kind:<8}  {line.url:<{url_width}}  {status}  "
            f"{line.latency_ms:7.0f} ms  {line.reason}\n"
        )
