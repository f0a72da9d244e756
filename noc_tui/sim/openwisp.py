"""OpenWISP controller imitation: token endpoint, Bearer auth, device list (openwisp.md §2, §3).

Bodies, status codes and headers are those recorded from openwisp-controller 1.3.2: DRF's
compact JSON, `WWW-Authenticate: Bearer` on every 401, page-number pagination with absolute
links built from the request's Host header, page size 10 by default and 100 at most.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials
from noc_tui.sim.common import (
    FaultBodies,
    SimBackend,
    client_ip,
    django_not_found_handler,
    django_redirect_slash,
    drf_json,
    field_errors,
    login_page,
    proxy_503,
    read_fields,
    replace_query,
    with_query,
)
from noc_tui.sim.openwisp_world import OpenWispWorld

USERNAME = credentials.OPENWISP_USERNAME
PASSWORD = credentials.OPENWISP_PASSWORD
TOKEN = credentials.OPENWISP_TOKEN
TOKEN_PATH = "/api/v1/users/token/"
DEVICES_PATH = "/api/v1/controller/device/"
THROTTLE_RATE = 20  # token requests per day per client address (openwisp-users default)
THROTTLE_PERIOD = 86_400.0
PAGE_SIZE = 10
MAX_PAGE_SIZE = 100

BEARER = {"WWW-Authenticate": "Bearer"}
TOKEN_ALLOW = {"Allow": "POST, OPTIONS"}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
INVALID_TOKEN = {"detail": "Invalid token."}
BAD_LOGIN = {"non_field_errors": ["Unable to log in with provided credentials."]}

Handler = Callable[[Request], Awaitable[Response]]


def authenticated(handler: Handler) -> Handler:
    """DRF TokenAuthentication with keyword 'Bearer' (case-insensitive), word for word."""

    async def guarded(request: Request) -> Response:
        parts = request.headers.get("authorization", "").split()
        if not parts or parts[0].lower() != "bearer":
            return drf_json(NOT_PROVIDED, 401, BEARER)
        if len(parts) == 1:
            body = {"detail": "Invalid token header. No credentials provided."}
            return drf_json(body, 401, BEARER)
        if len(parts) > 2:
            body = {"detail": "Invalid token header. Token string should not contain spaces."}
            return drf_json(body, 401, BEARER)
        if not hmac.compare_digest(parts[1], TOKEN):
            return drf_json(INVALID_TOKEN, 401, BEARER)
        return await handler(request)

    return guarded


class OpenWispApi:
    def __init__(self, world: OpenWispWorld, clock: Clock) -> None:
        self.world = world
        self.clock = clock
        self._token_requests: dict[str, list[float]] = {}  # client -> times, newest first

    async def token(self, request: Request) -> Response:
        wait = self._throttle(client_ip(request))
        if wait is not None:
            unit = "second" if wait == 1 else "seconds"
            body = {"detail": f"Request was throttled. Expected available in {wait} {unit}."}
            return drf_json(body, 429, {"Retry-After": str(wait), **TOKEN_ALLOW})
        if request.method != "POST":
            body = {"detail": f'Method "{request.method}" not allowed.'}
            return drf_json(body, 405, TOKEN_ALLOW)
        fields = await read_fields(request)
        errors = field_errors(fields, ("username", "password"))
        if errors:
            return drf_json(errors, 400, TOKEN_ALLOW)
        ok = hmac.compare_digest(str(fields["username"]), USERNAME) and hmac.compare_digest(
            str(fields["password"]), PASSWORD)
        if not ok:
            return drf_json(BAD_LOGIN, 400, TOKEN_ALLOW)
        return drf_json({"token": TOKEN}, 200, TOKEN_ALLOW)

    def _throttle(self, client: str) -> int | None:
        """DRF SimpleRateThrottle: None when allowed (and counted), else seconds to wait."""
        now = self.clock.now()
        history = [t for t in self._token_requests.get(client, []) if t > now - THROTTLE_PERIOD]
        self._token_requests[client] = history
        if len(history) >= THROTTLE_RATE:
            remaining = THROTTLE_PERIOD - (now - history[-1])
            available = THROTTLE_RATE - len(history) + 1
            return math.ceil(remaining / available) if available > 0 else math.ceil(remaining)
        history.insert(0, now)
        return None

    async def devices(self, request: Request) -> Response:
        return self._paginate(request, self.world.devices)

    def _paginate(self, request: Request, rows: list[dict[str, Any]]) -> Response:
        size = _page_size(request.query_params.get("page_size"))
        pages = max(1, math.ceil(len(rows) / size))
        raw = request.query_params.get("page", "1")
        number = pages if raw == "last" else _int_or_none(raw)
        if number is None or not 1 <= number <= pages:
            return drf_json({"detail": "Invalid page."}, 404)
        base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        query = request.url.query
        previous = None
        if number > 1:
            change = {"page": str(number - 1) if number > 2 else None}
            previous = with_query(base, replace_query(query, change))
        following = None
        if number < pages:
            following = with_query(base, replace_query(query, {"page": str(number + 1)}))
        return drf_json({
            "count": len(rows),
            "next": following,
            "previous": previous,
            "results": rows[(number - 1) * size : number * size],
        })


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _page_size(raw: str | None) -> int:
    """Positive ints are capped at 100; anything else silently falls back to 10."""
    value = _int_or_none(raw or "")
    if value is None or value <= 0:
        return PAGE_SIZE
    return min(value, MAX_PAGE_SIZE)


def create(*, seed: int, clock: Clock) -> SimBackend:
    world = OpenWispWorld(seed, clock)
    api = OpenWispApi(world, clock)
    routes = [
        Route(TOKEN_PATH, api.token, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route(DEVICES_PATH, authenticated(api.devices)),
        Route(TOKEN_PATH.rstrip("/"), django_redirect_slash),
        Route(DEVICES_PATH.rstrip("/"), django_redirect_slash),
    ]
    handlers = {404: django_not_found_handler, 405: django_not_found_handler}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.router.redirect_slashes = False
    bodies = FaultBodies(
        unauthorized=lambda: drf_json(INVALID_TOKEN, 401, BEARER),
        server_error=proxy_503,
        garbage=lambda: login_page("OpenWISP"),
    )
    extra = {"username": USERNAME, "password": PASSWORD}
    return SimBackend("openwisp", app, bodies, {"token": TOKEN}, world, extra, server="daphne")
