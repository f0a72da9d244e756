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

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials
from noc_tui.sim import openwisp_world as ow
from noc_tui.sim.common import (
    FaultBodies,
    SimBackend,
    client_ip,
    django_app,
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
NO_DEVICE = {"detail": "No Device matches the given query."}
NOT_FOUND = {"detail": "Not found."}
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
            str(fields["password"]), PASSWORD
        )
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
        ow.advance(self.world)
        query = request.query_params
        status = query.get("config__status")
        # The filter a console counts by comes from an index: a big lab has 50,000 devices.
        rows = self.world.with_status(status) if status else self.world.devices
        slugs = {uuid: slug for slug, uuid in self.world.organizations.items()}
        for name, test in (
            ("config__backend", lambda d, v: (d["config"] or {}).get("backend") == v),
            ("organization", lambda d, v: d["organization"] == v),
            ("organization_slug", lambda d, v: slugs.get(d["organization"]) == v),
            ("group", lambda d, v: d["group"] == v),
            ("config__templates", lambda d, v: v in self.world.extra[d["id"]]["templates"]),
            ("name", lambda d, v: v.lower() in d["name"].lower()),
        ):
            value = query.get(name)
            if value:
                rows = [d for d in rows if test(d, value)]
        geo = query.get("with_geo", "").lower()
        if geo in ("true", "false"):
            rows = [d for d in rows if (d["id"] in self.world.locations) == (geo == "true")]
        return self._paginate(request, rows)

    def _device(self, request: Request) -> dict[str, Any] | None:
        ow.advance(self.world)
        return self.world.device(request.path_params["id"])

    def _detail(self, device: dict[str, Any]) -> dict[str, Any]:
        config = device["config"]
        status = config["status"] if config else None
        body = dict(device)
        body["is_deactivated"] = status in ("deactivating", "deactivated")
        if config:
            body["config"] = {**config, **self.world.extra[device["id"]], "config": {}}
        return {k: body[k] for k in (*list(device)[:8], "is_deactivated", *list(device)[8:])}

    async def device(self, request: Request) -> Response:
        device = self._device(request)
        if device is None:
            return drf_json(NO_DEVICE, 404)
        if request.method == "DELETE":
            status = (device["config"] or {}).get("status")
            if status != "deactivated" and request.query_params.get("force") != "true":
                return drf_json({"detail": "The device must be deactivated prior to deletion"}, 403)
            self.world.remove(device)
            return Response(status_code=204)
        return drf_json(self._detail(device))

    async def switch(self, request: Request) -> Response:
        device = self._device(request)
        verb = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        status = (device["config"] or {}).get("status") if device else None
        inactive = status in ("deactivating", "deactivated")
        if device is None or not device["config"] or inactive == (verb == "deactivate"):
            return drf_json(NO_DEVICE, 404)
        if verb == "deactivate":
            ow.set_status(self.world, device, "deactivating", "deactivated")
        else:
            ow.set_status(self.world, device, "modified", "applied")
        return drf_json(self._detail(device))

    async def location(self, request: Request) -> Response:
        device = self._device(request)
        if device is None or device["id"] not in self.world.locations:
            return drf_json(NOT_FOUND, 404)
        return drf_json(self.world.locations[device["id"]])

    async def commands(self, request: Request) -> Response:
        device = self._device(request)
        if device is None:
            return drf_json(NOT_FOUND, 404)
        rows = self.world.commands[device["id"]]
        if request.method == "GET":
            return self._paginate(request, [ow.public(r) for r in rows])
        if (device["config"] or {}).get("status") in ("deactivating", "deactivated"):
            return drf_json({"detail": "You do not have permission to perform this action."}, 403)
        fields = await read_fields(request)
        kind = fields.get("type")
        errors: dict[str, list[str]] = {}
        if kind not in ("custom", "reboot", "change_password"):
            errors["type"] = [f'"{kind}" is not a valid choice.']
        if "input" not in fields:
            errors["input"] = ["This field is required."]
        given = fields.get("input")
        command: dict[str, Any] = given if isinstance(given, dict) else {}
        if kind == "custom" and not str(command.get("command", "")).strip():
            errors["input"] = ["This field is required."]
        if errors:
            return drf_json(errors, 400)
        label = {"custom": "Custom commands", "reboot": "Reboot"}.get(str(kind), "Change password")
        row = ow.new_command(self.world, device, label, str(command.get("command", "")))
        return drf_json(ow.public(row), 201)

    async def command(self, request: Request) -> Response:
        device = self._device(request)
        rows = self.world.commands.get(device["id"], []) if device else []
        row = next((r for r in rows if r["id"] == request.path_params["cmd"]), None)
        return drf_json(ow.public(row)) if row else drf_json(NOT_FOUND, 404)

    async def groups(self, request: Request) -> Response:
        rows = [
            {
                "id": uuid,
                "name": name,
                "organization": self.world.organizations[slug],
                "description": "",
                "templates": [],
                "context": {},
                "meta_data": {},
                "created": "2025-01-01T00:00:00.000000Z",
                "modified": "2025-01-01T00:00:00.000000Z",
            }
            for (slug, name), uuid in self.world.groups.items()
        ]
        return self._paginate(request, rows)

    async def templates(self, request: Request) -> Response:
        return self._paginate(request, self.world.templates)

    async def organizations(self, request: Request) -> Response:
        rows = [
            {
                "id": uuid,
                "name": ow.ORG_NAMES[slug],
                "is_active": True,
                "slug": slug,
                "description": "",
                "email": "",
                "url": "",
                "created": "2025-01-01T00:00:00.000000Z",
                "modified": "2025-01-01T00:00:00.000000Z",
            }
            for slug, uuid in self.world.organizations.items()
        ]
        return self._paginate(request, rows)

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
        return drf_json(
            {
                "count": len(rows),
                "next": following,
                "previous": previous,
                "results": rows[(number - 1) * size : number * size],
            }
        )


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


class _UuidText(Convertor[str]):
    """A UUID kept as text; anything else falls through to Django's HTML 404, as upstream."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("uuid_text", _UuidText())


def create(*, seed: int, clock: Clock, devices: int = ow.DEFAULT_DEVICES) -> SimBackend:
    world = OpenWispWorld(seed, clock, size=devices)
    api = OpenWispApi(world, clock)
    routes = [
        Route(TOKEN_PATH, api.token, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route(DEVICES_PATH, authenticated(api.devices)),
        Route(
            DEVICES_PATH + "{id:uuid_text}/", authenticated(api.device), methods=["GET", "DELETE"]
        ),
        Route(
            DEVICES_PATH + "{id:uuid_text}/activate/", authenticated(api.switch), methods=["POST"]
        ),
        Route(
            DEVICES_PATH + "{id:uuid_text}/deactivate/", authenticated(api.switch), methods=["POST"]
        ),
        Route(DEVICES_PATH + "{id:uuid_text}/location/", authenticated(api.location)),
        Route(
            DEVICES_PATH + "{id:uuid_text}/command/",
            authenticated(api.commands),
            methods=["GET", "POST"],
        ),
        Route(DEVICES_PATH + "{id:uuid_text}/command/{cmd:uuid_text}/", authenticated(api.command)),
        Route("/api/v1/controller/group/", authenticated(api.groups)),
        Route("/api/v1/controller/template/", authenticated(api.templates)),
        Route("/api/v1/users/organization/", authenticated(api.organizations)),
        Route(TOKEN_PATH.rstrip("/"), django_redirect_slash),
        Route(DEVICES_PATH.rstrip("/"), django_redirect_slash),
    ]
    app = django_app(routes)
    bodies = FaultBodies(
        unauthorized=lambda: drf_json(INVALID_TOKEN, 401, BEARER),
        server_error=proxy_503,
        garbage=lambda: login_page("OpenWISP"),
    )
    extra = {"username": USERNAME, "password": PASSWORD}
    return SimBackend("openwisp", app, bodies, {"token": TOKEN}, world, extra, server="daphne")
