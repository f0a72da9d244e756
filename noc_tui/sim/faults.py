"""Injected faults: the `--faults` grammar, the live per-backend state and the ASGI middleware.

Grammar: comma-separated items `<backend>:<fault>[=<value>]`, for example
`librenms:latency=2s,krill:error_rate=0.3,kalliope:down,openwisp:garbage`.

    latency=<N>s|<N>ms   sleep before answering
    error_rate=<0..1>    that share of requests answers the backend's 5xx
    drop[=<0..1>]        the answer starts, then the connection breaks (default: every request)
    unauthorized         the backend's own 401
    garbage              200 with an HTML login page (JSON backends) or truncated XML (kalliope)
    down                 the port refuses connections (the Lab really stops listening)

A hostile backend (what a console must survive from a system it does not control):

    hostile[=raw]        every free-text field is a hostile string (`noc_tui.sim.hostile`):
                         Rich markup, terminal escapes, control characters, bidi overrides, a
                         lone surrogate, 10,000 characters, wide and combining characters.
                         Ids, enums, numbers and timestamps stay valid; lookups by the hostile
                         names work (the lab maps them back). KalliopePBX's XML gets the
                         XML 1.0-legal forms (C1 for ESC sequences). `raw`: as a broken
                         encoder, control characters and lone surrogates raw in JSON strings
                         (invalid JSON), raw C0 bytes in CDR caller/called names (not
                         well-formed XML)
    bomb[=<MB>]          200, `Content-Encoding: gzip`, one gzip member that inflates to that
                         many MiB (default 1024, at most 65536) of a valid JSON/XML start,
                         spaces and its end
    huge[=<MB>[:length]] 200, that many MiB (default 2048) of valid JSON/XML rows, chunked
                         with no Content-Length; `:length` declares the true Content-Length.
                         (A lying short Content-Length cannot be served: uvicorn refuses to
                         send more than it declares; a long one is what `drop` plays.)
    trickle[=<seconds>]  the headers at once, then the body one byte every N seconds
                         (default 5; also 250ms or 2s)
    endless[=loop]       OpenWISP lists and Krill's CPE search always have a `next` page, of
                         real rows; `loop`: `next` is the very URL just asked
    duplicates           every list repeats rows, ids and all: one row twice in the middle,
                         the first again at the end
    malformed=<kind>     deep: JSON/XML nested 100,000 levels; nan: NaN, Infinity, -Infinity,
                         1e400 and 10**400 in numeric fields (ids, counts and 0/1 flags stay);
                         types: strings for numbers, objects for strings, lists for objects,
                         nulls; badnext: a `next` link with a NUL, with spaces, on
                         http://evil.example, a file: URL, or a 1,000,000-character one (in
                         turn, answer by answer; OpenWISP and Krill)

They answer in this order: down, unauthorized, error_rate, drop, garbage, bomb, huge,
malformed=deep, then the app's answer rewritten by hostile, duplicates, endless and the other
malformed kinds; latency comes before and trickle after any of them.

`GET /_sim/faults` shows and `POST /_sim/faults {"backend": .., "faults": ..}` changes the faults
on any backend's port; that path skips auth and faults.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

import httpx
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noc_tui.sim import answers, floods
from noc_tui.sim.common import FaultBodies

BACKENDS = ("krill", "librenms", "openwisp", "kalliope")
ADMIN_PATH = "/_sim/faults"
FAULT_NAMES = (
    "latency",
    "error_rate",
    "drop",
    "unauthorized",
    "garbage",
    "down",
    "hostile",
    "bomb",
    "huge",
    "trickle",
    "endless",
    "duplicates",
    "malformed",
)
MALFORMED_KINDS = ("deep", "nan", "types", "badnext")
BOMB_DEFAULT_MB, BOMB_MAX_MB = 1024, 65_536
HUGE_DEFAULT_MB, HUGE_MAX_MB = 2048, 1_048_576
TRICKLE_DEFAULT = 5.0

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
    hostile: str = ""  # "", "on" or "raw"
    bomb_mb: int = 0
    huge_mb: int = 0
    huge_length: bool = False
    trickle: float = 0.0
    endless: str = ""  # "", "on" or "loop"
    duplicates: bool = False
    malformed: str = ""  # "" or one of MALFORMED_KINDS

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
        if self.hostile:
            items.append("hostile=raw" if self.hostile == "raw" else "hostile")
        if self.bomb_mb:
            items.append("bomb" if self.bomb_mb == BOMB_DEFAULT_MB else f"bomb={self.bomb_mb}")
        if self.huge_mb:
            plain = self.huge_mb == HUGE_DEFAULT_MB and not self.huge_length
            suffix = ":length" if self.huge_length else ""
            items.append("huge" if plain else f"huge={self.huge_mb}{suffix}")
        if self.trickle:
            default = self.trickle == TRICKLE_DEFAULT
            items.append("trickle" if default else f"trickle={self.trickle:g}")
        if self.endless:
            items.append("endless=loop" if self.endless == "loop" else "endless")
        if self.duplicates:
            items.append("duplicates")
        if self.malformed:
            items.append(f"malformed={self.malformed}")
        return ",".join(items)

    @property
    def rewrites(self) -> bool:
        """True when the app's own answer is rewritten on its way out."""
        return bool(self.hostile or self.duplicates or self.endless or self.malformed)


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
    if name in _VALUE_PARSERS:
        return _VALUE_PARSERS[name](faults, value if has_value else None, item)
    if has_value:
        raise ValueError(f"{item!r}: {name} takes no value")
    return _FLAGS[name](faults)


_FLAGS: dict[str, Callable[[BackendFaults], BackendFaults]] = {
    "unauthorized": lambda faults: replace(faults, unauthorized=True),
    "garbage": lambda faults: replace(faults, garbage=True),
    "down": lambda faults: replace(faults, down=True),
    "duplicates": lambda faults: replace(faults, duplicates=True),
}


def _hostile(faults: BackendFaults, value: str | None, item: str) -> BackendFaults:
    if value not in (None, "raw"):
        raise ValueError(f"{item!r}: hostile takes no value, or raw")
    return replace(faults, hostile=value or "on")


def _bomb(faults: BackendFaults, value: str | None, item: str) -> BackendFaults:
    size = BOMB_DEFAULT_MB if value is None else _megabytes(value, BOMB_MAX_MB)
    if size is None:
        raise ValueError(f"{item!r}: bomb needs a size in MB from 1 to {BOMB_MAX_MB}, e.g. bomb=64")
    return replace(faults, bomb_mb=size)


def _huge(faults: BackendFaults, value: str | None, item: str) -> BackendFaults:
    if value is None:
        return replace(faults, huge_mb=HUGE_DEFAULT_MB, huge_length=False)
    raw, colon, flag = value.partition(":")
    size = _megabytes(raw, HUGE_MAX_MB)
    if size is None or (colon and flag != "length"):
        raise ValueError(
            f"{item!r}: huge needs a size in MB from 1 to {HUGE_MAX_MB}, "
            "e.g. huge=512 or huge=512:length"
        )
    return replace(faults, huge_mb=size, huge_length=bool(colon))


def _trickle(faults: BackendFaults, value: str | None, item: str) -> BackendFaults:
    if value is None:
        return replace(faults, trickle=TRICKLE_DEFAULT)
    match = _LATENCY.match(value)
    try:
        seconds = float(match[1]) / (1000 if match[2] == "ms" else 1) if match else float(value)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and 0 < seconds <= 3600):
        raise ValueError(f"{item!r}: trickle needs seconds between bytes, e.g. trickle=5 or 250ms")
    return replace(faults, trickle=seconds)


def _endless(faults: BackendFaults, value: str | None, item: str) -> BackendFaults:
    if value not in (None, "loop"):
        raise ValueError(f"{item!r}: endless takes no value, or loop")
    return replace(faults, endless=value or "on")


def _malformed(faults: BackendFaults, value: str | None, item: str) -> BackendFaults:
    if value not in MALFORMED_KINDS:
        raise ValueError(f"{item!r}: malformed needs one of {', '.join(MALFORMED_KINDS)}")
    return replace(faults, malformed=value)


def _megabytes(text: str, most: int) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= most else None


_VALUE_PARSERS: dict[str, Callable[[BackendFaults, str | None, str], BackendFaults]] = {
    "hostile": _hostile,
    "bomb": _bomb,
    "huge": _huge,
    "trickle": _trickle,
    "endless": _endless,
    "malformed": _malformed,
}


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
        self._turns = itertools.count()  # answers rewritten so far (badnext takes turns)

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
        trickle = floods.Trickle(send, receive, faults.trickle) if faults.trickle else None
        if trickle is not None:
            send = trickle.send
        try:
            await self._respond(scope, receive, send, faults)
        finally:
            if trickle is not None:
                trickle.stop()

    async def _respond(
        self, scope: Scope, receive: Receive, send: Send, faults: BackendFaults
    ) -> None:
        if faults.unauthorized:
            await self.bodies.unauthorized()(scope, receive, send)
        elif self.state.roll(self.backend, faults.error_rate):
            await self.bodies.server_error()(scope, receive, send)
        elif self.state.roll(self.backend, faults.drop_rate):
            await self._drop(scope, receive, send)
        elif faults.garbage:
            await self.bodies.garbage()(scope, receive, send)
        elif faults.bomb_mb:
            await floods.bomb(send, receive, self.backend, faults.bomb_mb)
        elif faults.huge_mb:
            await floods.huge(send, receive, self.backend, faults.huge_mb, faults.huge_length)
        elif faults.malformed == "deep":
            await floods.deep(send, self.backend)
        elif faults.rewrites:
            await self._rewritten(scope, receive, send, faults)
        else:
            await self.app(scope, receive, send)

    async def _rewritten(
        self, scope: Scope, receive: Receive, send: Send, faults: BackendFaults
    ) -> None:
        """The app's answer, reshaped; with `hostile`, the request's hostile names restored."""
        if faults.hostile:
            scope = answers.restore_scope(scope)
            if scope["method"] in ("POST", "PUT", "PATCH"):
                headers = dict(scope["headers"])
                content_type = headers.get(b"content-type", b"").decode("latin-1")
                body = answers.restore_body(content_type, await _read_body(receive))
                headers[b"content-length"] = str(len(body)).encode()
                scope = {**scope, "headers": list(headers.items())}
                receive = answers.replay(body, receive)
        query = scope.get("query_string", b"").decode("latin-1")
        request = answers.Request(answers.origin(scope), scope["path"], query, next(self._turns))
        shaper = answers.Shaper(self.backend, faults, request)
        if faults.endless and scope["method"] == "GET":

            async def call(asked: Scope) -> answers.Captured:
                return await answers.capture(self.app, asked, receive)

            got = await answers.endless(self.backend, scope, call, faults.endless == "loop")
            if got is not None:
                out = shaper.wrap(send)
                await out(
                    {"type": "http.response.start", "status": got.status, "headers": got.headers}
                )
                await out({"type": "http.response.body", "body": got.body, "more_body": False})
                return
        await self.app(scope, receive, shaper.wrap(send))

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
