"""What the lab's backends were asked, and how much they sent: the load a console puts on
them, for the benchmarks and the tests (`GET /_sim/traffic` on any lab port, or
`Lab.traffic`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TRAFFIC_PATH = "/_sim/traffic"


@dataclass
class Traffic:
    requests: Counter[str] = field(default_factory=Counter)  # by served backend name
    bytes: Counter[str] = field(default_factory=Counter)  # answer bodies, as sent
    paths: Counter[tuple[str, str]] = field(default_factory=Counter)  # (backend, path?query)

    def snapshot(self) -> dict[str, Any]:
        names = sorted(set(self.requests) | set(self.bytes))
        return {
            name: {
                "requests": self.requests[name],
                "bytes": self.bytes[name],
                "paths": {p: n for (b, p), n in sorted(self.paths.items()) if b == name},
            }
            for name in names
        }

    def clear(self) -> None:
        self.requests.clear()
        self.bytes.clear()
        self.paths.clear()


class TrafficMiddleware:
    """Counts every request to one served backend and the body bytes of its answer (the
    lab's own admin paths are not counted); serves the counts at TRAFFIC_PATH (POST clears)."""

    def __init__(self, app: ASGIApp, name: str, traffic: Traffic) -> None:
        self.app = app
        self.name = name
        self.traffic = traffic

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == TRAFFIC_PATH:
            if scope["method"] == "POST":  # start counting afresh
                self.traffic.clear()
            await JSONResponse(self.traffic.snapshot())(scope, receive, send)
            return
        if scope["type"] != "http" or scope["path"].startswith("/_sim/"):
            await self.app(scope, receive, send)
            return
        self.traffic.requests[self.name] += 1
        query = scope.get("query_string", b"").decode("latin-1")
        self.traffic.paths[(self.name, f"{scope['path']}?{query}" if query else scope["path"])] += 1

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.body":
                self.traffic.bytes[self.name] += len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counted)
