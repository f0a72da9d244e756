"""Injected faults: the `--faults` grammar, the live per-backend state and the ASGI middleware.

Grammar: comma-separated items `<backend>:<fault>[=<value>]`, for example
`librenms:latency=2s,krill:error_rate=0.3,kalliope:down,openwisp:garbage`.

    latency=<N>s|<N>ms   sleep before answering
    error_rate=<0..1>    that share of requests answers the backend's 5xx
    drop[=<0..1>]        the answer starts, then the connection breaks (default: every request)
    unauthorized         the backend's own 401
    garbage              200 with an HTML login page (JSON backends) or truncated XML (kalliope)
    down                 the port refuses connections (the Lab really stops listening)

`GET /_sim/faults` shows and `POST /_sim/faults {"backend": .., "faults": ..}` changes the faults
on any backend's port; that path skips auth and faults.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

import httpx
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noc_tui.sim.common import FaultBodies

BACKENDS = ("krill", "librenms", "openwisp", "kalliope")
ADMIN_PATH = "/_sim/faults"
FAULT_NAMES = ("latency", "error_rate", "drop", "unauthorized", "garbage", "down")

_LATENCY = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(ms|s)$")


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised by the middleware to break an answer; clients on ASGITransport see it as is."""

    def __init__(self, message: str = "lab: connection dropped mid-answer") -> None:
        super().__init__(message)


class RefusedConnection(httpx.ConnectError):
    """A 'down' backend reached through ASGITransport, where no socket can refuse."""

    def __init__(self, message: str = "lab: [Errno 111] Connection refused") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class BackendFaults:
    latency: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    unauthorized: bool = False
    garbage: bool = False
    down: bool = False

    def spec(self) -> str:
        """The canonical spec, which parses back to an equal value."""
        items: list[str] = []
        if self.latency:
            ms = self.latency * 1000
            items.append(f"latency={ms:g}ms" if self.latency < 1 else f"latency={self.latency:g}s")
        if self.error_rate:
            items.append(f"error_rate={self.error_rate:g}")
        if self.drop_rate:
            items.append("drop" if self.drop_rate == 1 else f"drop={self.drop_rate:g}")
        items += [name for name in ("unauthorized", "garbage", "down") if getattr(self, name)]
        return ",".join(items)


NO_FAULTS = BackendFaults()


def parse_faults(spec: str | None) -> dict[str, BackendFaults]:
    """Parse the CLI grammar into faults per backend; raise ValueError naming the bad item."""
    result: dict[str, BackendFaults] = {}
    for item in _items(spec):
        backend, sep, fault = item.partition(":")
        backend = backend.strip()
        if not sep:
            raise ValueError(f"{item!r}: expected <backend>:<fault>, e.g. krill:latency=2s")
        if backend not in BACKENDS:
            expected = ", ".join(BACKENDS)
            raise ValueError(f"{item!r}: unknown backend {backend!r}; expected one of {expected}")
        result[backend] = _apply(result.get(backend, NO_FAULTS), fault.strip(), item)
    return result


def parse_backend_faults(spec: str | None) -> BackendFaults:
    """Parse one backend's faults without the backend prefix: 'latency=2s,error_rate=0.3'."""
    faults = NO_FAULTS
    for item in _items(spec):
        faults = _apply(faults, item, item)
    return faults


def _items(spec: str | None) -> list[str]:
    # Empty items (a trailing comma) are harmless, so they are skipped rather than refused.
    return [item.strip() for item in (spec or "").split(",") if item.strip()]


def _apply(faults: BackendFaults, fault: str, item: str) -> BackendFaults:
    name, has_value, value = (part.strip() for part in fault.partition("="))
    if name not in FAULT_NAMES:
        expected = ", ".join(FAULT_NAMES)
        raise ValueError(f"{item!r}: unknown fault {name!r}; expected one of {expected}")
    if name == "latency":
        match = _LATENCY.match(value)
        if not match:
            raise ValueError(f"{item!r}: latency needs a duration like 2s or 250ms")
        seconds = float(match[1]) / (1000 if match[2] == "ms" else 1)
        return replace(faults, latency=seconds)
    if name in ("error_rate", "drop"):
        if name == "drop" and not has_value:
            return replace(faults, drop_rate=1.0)
        rate = _rate(value)
        if rate is None:
            raise ValueError(f"{item!r}: {name} needs a rate between 0 and 1, e.g. {name}=0.3")
        if name == "error_rate":
            return replace(faults, error_rate=rate)
        return replace(faults, drop_rate=rate)
    if has_value:
        raise ValueError(f"{item!r}: {name} takes no value")
    return replace(faults, **{name: True})


def _rate(text: str) -> float | None:
    try:
        rate = float(text)
    except ValueError:
        return None
    return rate if math.isfinite(rate) and 0 <= rate <= 1 else None


# Called when a backend's faults change: (backend, old, new, via) where `via` names the backend
# whose port carried the change (None from Python). The Lab uses it to stop or resume listening.
ChangeHook = Callable[[str, BackendFaults, BackendFaults, str | None], Awaitable[None]]


class FaultState:
    """The faults of every backend now, and a seeded dice per backend for the rates."""

    def __init__(self, seed: int, initial: Mapping[str, BackendFaults] | None = None) -> None:
        self._faults = {name: NO_FAULTS for name in BACKENDS}
        self._faults.update(initial or {})
        self._dice = {name: random.Random(f"faults:{seed}:{name}") for name in BACKENDS}
        self.on_change: ChangeHook | None = None

    def get(self, backend: str) -> BackendFaults:
        return self._faults[backend]

    def snapshot(self) -> dict[str, str]:
        return {name: self._faults[name].spec() for name in BACKENDS}

    def roll(self, backend: str, rate: float) -> bool:
        return rate >= 1 or (rate > 0 and self._dice[backend].random() < rate)

    def set(self, backend: str, faults: BackendFaults) -> None:
        self._faults[backend] = faults

    async def change(self, backend: str, faults: BackendFaults, via: str | None = None) -> None:
        old = self._faults[backend]
        self._faults[backend] = faults
        if self.on_change is not None:
            await self.on_change(backend, old, faults, via)


class FaultMiddleware:
    """Wraps one backend's app: serves the admin path, then applies that backend's faults.

    `served` is True under uvicorn (a real socket) and False for httpx.ASGITransport, where
    'down' can only be imitated by raising the exception a refused connection would give.
    """

    def __init__(
        self, app: ASGIApp, backend: str, state: FaultState, bodies: FaultBodies, *, served: bool
    ) -> None:
        self.app = app
        self.backend = backend
        self.state = state
        self.bodies = bodies
        self.served = served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/") == ADMIN_PATH:
            await self._admin(scope, receive, send)
            return
        faults = self.state.get(self.backend)
        if faults.down:
            # Only a request already on an open connection gets here while the port is closed.
            if not self.served:
                raise RefusedConnection()
            await self._drop(scope, receive, send)
            return
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.unauthorized:
            await self.bodies.unauthorized()(scope, receive, send)
        elif self.state.roll(self.backend, faults.error_rate):
            await self.bodies.server_error()(scope, receive, send)
        elif self.state.roll(self.backend, faults.drop_rate):
            await self._drop(scope, receive, send)
        elif faults.garbage:
            await self.bodies.garbage()(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the answer start, send half of its first chunk, then break the connection."""

        async def cut(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
                return
            body = message.get("body", b"")
            if body:
                half = body[: len(body) // 2]
                await send({"type": "http.response.body", "body": half, "more_body": True})
            raise DroppedConnection()

        await self.app(scope, receive, cut)
        raise DroppedConnection()

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        headers: dict[str, str] = {}
        if method == "GET":
            response: Response = JSONResponse(self.state.snapshot())
        elif method == "POST":
            try:
                backend, faults = _admin_request(await _read_body(receive))
            except ValueError as problem:
                response = JSONResponse({"error": str(problem)}, 400)
            else:
                await self.state.change(backend, faults, via=self.backend)
                if backend == self.backend and faults.down:
                    headers["Connection"] = "close"  # this port is closing under us
                response = JSONResponse(self.state.snapshot(), headers=headers)
        else:
            response = JSONResponse({"error": "use GET or POST"}, 405, {"Allow": "GET, POST"})
        await response(scope, receive, send)


def _admin_request(raw: bytes) -> tuple[str, BackendFaults]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        example = '{"backend": "librenms", "faults": "latency=2s"}'
        raise ValueError(f"expected JSON like {example}") from None
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    backend, spec = body.get("backend"), body.get("faults", "")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if not isinstance(spec, str):
        raise ValueError('"faults" must be a string like "latency=2s,error_rate=0.3" or ""')
    return backend, parse_backend_faults(spec)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)
