"""What the four imitations share: how they render bodies, tell time and draw identifiers.

Every backend module exposes `create(...) -> SimBackend`; the Lab serves `SimBackend.app`
behind the fault middleware, and the middleware borrows `SimBackend.faults` to answer a
fault the way that backend's real stack would.
"""

from __future__ import annotations

import calendar
import json
import math
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

# The world's static data (creation dates, serials) is laid out before this instant, so the
# same seed gives the same records whatever the clock says; only "live" fields follow the clock.
WORLD_ANCHOR = 1_788_000_000.0  # 2026-08-29 UTC

DJANGO_404_HTML = (
    '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n'
    "<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n"
    "</body>\n</html>\n"
)


@dataclass(frozen=True)
class FaultBodies:
    """How one backend answers the injected faults that produce a response."""

    unauthorized: Callable[[], Response]
    server_error: Callable[[], Response]
    garbage: Callable[[], Response]


@dataclass
class SimBackend:
    """One imitated system: its ASGI app, its fault flavour, its credentials and its data."""

    name: str
    app: ASGIApp
    faults: FaultBodies
    credentials: dict[str, str]
    world: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    server: str = "nginx"  # the Server header its real deployment answers with


# -- bodies ------------------------------------------------------------------------------------


def drf_json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """Django REST framework's renderer: compact separators, UTF-8 kept as is."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode(), status, dict(headers or {}), "application/json")


def php_json(
    body: Any,
    status: int = 200,
    *,
    escape_slashes: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """PHP's json_encode(JSON_PRETTY_PRINT): 4-space indent, \\uXXXX escapes, `\\/` unless told."""
    text = json.dumps(body, indent=4, ensure_ascii=True)
    if escape_slashes:
        # A '/' can only occur inside a JSON string, so a plain replace is exact.
        text = text.replace("/", "\\/")
    return Response(text.encode(), status, dict(headers or {}), "application/json")


def html(body: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body.encode(), status, dict(headers or {}), "text/html; charset=utf-8")


def plain(body: str, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body.encode(), status, dict(headers or {}), "text/plain; charset=utf-8")


def login_page(product: str) -> Response:
    """What an SSO proxy answers in front of an API once its session has expired: 200 + HTML."""
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Sign in</title></head>\n'
        f'<body><form method="post" action="/login"><h1>{product}: sign in</h1>\n'
        '<input name="username"><input name="password" type="password">\n'
        "<button>Sign in</button></form></body></html>\n"
    )
    return html(page)


def proxy_503() -> Response:
    return plain("503 Service Temporarily Unavailable\n", 503)


def django_not_found() -> Response:
    return html(DJANGO_404_HTML, 404)


async def django_not_found_handler(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for unmatched routes: Django's own 404 page."""
    return django_not_found()


def django_app(routes: Sequence[BaseRoute]) -> Starlette:
    """An app that answers like Django: no slash redirects of its own, Django's 404 page."""
    handlers = {404: django_not_found_handler, 405: django_not_found_handler}
    app = Starlette(routes=list(routes), exception_handlers=handlers)
    app.router.redirect_slashes = False
    return app


async def django_redirect_slash(request: Request) -> Response:
    """Django's APPEND_SLASH: 301 to the same path with a slash, relative Location."""
    location = request.url.path + "/"
    if request.url.query:
        location += "?" + request.url.query
    return Response(b"", 301, {"Location": location}, "text/html; charset=utf-8")


async def read_fields(request: Request) -> dict[str, Any]:
    """A form or JSON body as a flat dict (what DRF's parsers give a serializer)."""
    raw = await request.body()
    if "json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def field_errors(fields: Mapping[str, Any], names: Sequence[str]) -> dict[str, list[str]]:
    """DRF serializer errors for required string fields, in field order."""
    errors: dict[str, list[str]] = {}
    for name in names:
        value = fields.get(name)
        if value is None:
            errors[name] = ["This field is required."]
        elif str(value) == "":
            errors[name] = ["This field may not be blank."]
    return errors


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# -- URLs --------------------------------------------------------------------------------------


def replace_query(query: str, changes: Mapping[str, str | None], safe: str = "") -> str:
    """DRF's replace_query_param/remove_query_param: set or drop keys, then sort the query."""
    params = parse_qs(query, keep_blank_values=True)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = [value]
    return urlencode(sorted(params.items()), doseq=True, safe=safe)


def with_query(base: str, query: str) -> str:
    return f"{base}?{query}" if query else base


# -- time --------------------------------------------------------------------------------------


def _last_sunday(year: int, month: int) -> int:
    last_day = calendar.monthrange(year, month)[1]
    weekday = calendar.weekday(year, month, last_day)  # Monday = 0
    return last_day - (weekday + 1) % 7


def cet_offset(ts: float) -> int:
    """Seconds east of UTC in Central Europe (EU rule); no tz database, so every host agrees."""
    year = time.gmtime(ts).tm_year
    start = calendar.timegm((year, 3, _last_sunday(year, 3), 1, 0, 0))
    end = calendar.timegm((year, 10, _last_sunday(year, 10), 1, 0, 0))
    return 7200 if start <= ts < end else 3600


def iso_cet(ts: float) -> str:
    """'2025-11-02T04:00:16+01:00', as Django renders an aware datetime in Europe/Madrid."""
    offset = cet_offset(ts)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(ts) + offset))
    return f"{stamp}+{offset // 3600:02d}:00"


def iso_utc_micro(ts: float) -> str:
    """'2026-11-22T18:47:27.253157Z', as DRF renders a UTC datetime."""
    micros = int(round(ts * 1_000_000))
    seconds, micro = divmod(micros, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micro:06d}Z"


def last_daily(now: float, hour: int, offset_seconds: int) -> float:
    """The latest local `hour`:00 (+offset) at or before `now`: a nightly job's last run."""
    local = now + cet_offset(now)
    day_start = local - local % 86_400
    run = day_start + hour * 3600 + offset_seconds
    if run > local:
        run -= 86_400
    return run - cet_offset(now)


# -- seeded identifiers ------------------------------------------------------------------------


def seeded_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seeded_hex(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def seeded_text(rng: random.Random, length: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    values = [value for value, _ in choices]
    return rng.choices(values, weights=[weight for _, weight in choices])[0]


def spread(counts: Sequence[int], extra: int) -> list[int]:
    """Which kind each of `extra` added devices is: the fleet's own mix, repeated.

    A bigger lab keeps the proportions of the small one (`counts` per kind): kind `i` comes
    `counts[i]` times in every round, so any prefix of the result is as mixed as the fleet.
    """
    pattern = [index for index, count in enumerate(counts) for _ in range(count)]
    if not pattern:
        return []
    step = 7  # interleaves the kinds within a round; coprime, so each slot comes once
    while math.gcd(step, len(pattern)) != 1:
        step += 1
    order = [pattern[(i * step) % len(pattern)] for i in range(len(pattern))]
    return [order[i % len(order)] for i in range(extra)]
