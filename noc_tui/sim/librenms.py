"""LibreNMS API v0 imitation: token auth, the route index and `/system` (librenms.md §2, §3, §8).

Bodies are PHP's pretty JSON with `\\/` escapes (the index alone keeps plain slashes); auth
failures are Laravel's `{"message": "Unauthenticated."}` and unknown routes `api_not_found`.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials
from noc_tui.sim.common import FaultBodies, SimBackend, html, login_page, php_json

# Sanctum tokens are "<id>|<secret>"; the secret alone authenticates too (§2).
TOKEN_ID = credentials.LIBRENMS_TOKEN_ID
TOKEN_SECRET = credentials.LIBRENMS_TOKEN_SECRET
TOKEN = f"{TOKEN_ID}|{TOKEN_SECRET}"

UNAUTHENTICATED = {"message": "Unauthenticated."}
SERVER_ERROR = {"message": "Server Error"}
ROUTE_NOT_FOUND = {"status": "error", "message": "This API route doesn't exist."}

# Route name -> path template, as `show_endpoints` lists them (a subset of the real 150+).
ROUTES = {
    "ack_alert": "/alerts/{id}",
    "add_device": "/devices",
    "add_rule": "/rules",
    "del_device": "/devices/{hostname}",
    "delete_rule": "/rules/{id}",
    "device_availability": "/devices/{hostname}/availability",
    "device_outages": "/devices/{hostname}/outages",
    "device_under_maintenance": "/devices/{hostname}/maintenance",
    "edit_rule": "/rules",
    "get_alert": "/alerts/{id}",
    "get_alert_rule": "/rules/{id}",
    "get_all_ports": "/ports",
    "get_device": "/devices/{hostname}",
    "get_device_groups": "/devicegroups",
    "get_devices_by_group": "/devicegroups/{name}",
    "get_graph_by_port_hostname": "/devices/{hostname}/ports/{ifname}/{type}",
    "get_graph_generic_by_hostname": "/devices/{hostname}/{type}",
    "get_graphs": "/devices/{hostname}/graphs",
    "get_port_graphs": "/devices/{hostname}/ports",
    "get_port_info": "/ports/{portid}",
    "get_port_stats_by_port_hostname": "/devices/{hostname}/ports/{ifname}",
    "list_alert_rules": "/rules",
    "list_alertlog": "/logs/alertlog/{hostname?}",
    "list_alerts": "/alerts",
    "list_authlog": "/logs/authlog",
    "list_bgp": "/bgp",
    "list_devices": "/devices",
    "list_eventlog": "/logs/eventlog/{hostname?}",
    "list_locations": "/resources/locations",
    "list_services": "/services",
    "list_syslog": "/logs/syslog/{hostname?}",
    "maintenance_device": "/devices/{hostname}/maintenance",
    "search_ports": "/ports/search/{field}/{search?}",
    "server_info": "/system",
    "unmute_alert": "/alerts/unmute/{id}",
    "update_device_field": "/devices/{hostname}",
}

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class LibreNmsWorld:
    """The server itself for now; devices, alerts and ports grow here."""

    seed: int
    clock: Clock
    system: dict[str, Any] = field(default_factory=lambda: {
        "local_ver": "26.10.0",
        "local_sha": "f3c9a1e0b7d2c4e5a6b8c9d0e1f2a3b4c5d6e7f8",
        "local_date": "2026-10-21T09:12:44+02:00",
        "local_branch": "master",
        "db_schema": "2026_10_02_101500_example_migration (404)",
        "php_ver": "8.4.14",
        "python_ver": "3.12.3",
        "database_ver": "MariaDB 11.4.5-MariaDB-ubu2404",
        "rrdtool_ver": "1.7.2",
        "netsnmp_ver": "NET-SNMP 5.9.4.pre2",
    })


def _token_ok(token: str) -> bool:
    if not token:
        return False
    return hmac.compare_digest(token, TOKEN) or hmac.compare_digest(token, TOKEN_SECRET)


def authenticated(handler: Handler) -> Handler:
    """ApiTokenGuard: X-Auth-Token first, then ?api_token=, then Authorization: Bearer."""

    async def guarded(request: Request) -> Response:
        token = request.headers.get("x-auth-token", "")
        if not token:
            token = request.query_params.get("api_token", "")
        if not token:
            scheme, _, value = request.headers.get("authorization", "").partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else ""
        if not _token_ok(token):
            return php_json(UNAUTHENTICATED, 401, escape_slashes=False)
        return await handler(request)

    return guarded


class LibreNmsApi:
    def __init__(self, world: LibreNmsWorld) -> None:
        self.world = world

    async def index(self, request: Request) -> Response:
        base = f"{request.url.scheme}://{request.url.netloc}/api/v0"
        listing = {name: base + path for name, path in sorted(ROUTES.items())}
        return php_json(listing, escape_slashes=False)

    async def system(self, request: Request) -> Response:
        return php_json({"status": "ok", "system": [dict(self.world.system)], "count": 1})

    async def route_not_found(self, request: Request) -> Response:
        return php_json(ROUTE_NOT_FOUND, 404)


async def _laravel_404(request: Request, exc: Exception) -> Response:
    return html("<!DOCTYPE html>\n<html><head><title>Not Found</title></head>"
                "<body><h1>404 | Not Found</h1></body></html>\n", 404)


def create(*, seed: int, clock: Clock) -> SimBackend:
    world = LibreNmsWorld(seed, clock)
    api = LibreNmsApi(world)
    every = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/api/v0", authenticated(api.index)),
        Route("/api/v0/", authenticated(api.index)),
        Route("/api/v0/system", authenticated(api.system)),
        # The catch-all sits behind auth like every routes/api.php route.
        Route("/api/v0/{path:path}", authenticated(api.route_not_found), methods=every),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _laravel_404})
    app.router.redirect_slashes = False
    bodies = FaultBodies(
        unauthorized=lambda: php_json(UNAUTHENTICATED, 401, escape_slashes=False),
        server_error=lambda: php_json(SERVER_ERROR, 500, escape_slashes=False),
        garbage=lambda: login_page("LibreNMS"),
    )
    return SimBackend("librenms", app, bodies, {"token": TOKEN}, world, server="nginx/1.24.0")
