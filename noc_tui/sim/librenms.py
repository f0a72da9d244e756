"""LibreNMS API v0 imitation: token auth, the route index and `/system` (librenms.md §2, §3, §8).

Bodies are PHP's pretty JSON with `\\/` escapes (the index alone keeps plain slashes); auth
failures are Laravel's `{"message": "Unauthenticated."}` and unknown routes `api_not_found`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials, librenms_world
from noc_tui.sim.common import FaultBodies, SimBackend, html, login_page, php_json
from noc_tui.sim.librenms_world import LibreNmsWorld

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
BIG_LIST = 2000  # rows above which a list goes out compact (see list_alerts)


SYSTEM: dict[str, Any] = {
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
}


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
        return php_json({"status": "ok", "system": [dict(SYSTEM)], "count": 1})

    # -- alerts (§4) ------------------------------------------------------------------

    def _states(self, request: Request) -> set[int] | None:
        """`state` is a comma list, default 1 only (the trap every client must avoid)."""
        raw = request.query_params.get("state", "1")
        try:
            return {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            return None

    def _alert_rows(self, request: Request, alert_id: int | None = None) -> list[dict[str, Any]]:
        self.world.advance()
        states = self._states(request) or {1}
        severity = request.query_params.get("severity")
        rows = [
            self.world.alert_row(a)
            for a in self.world.alerts.values()
            if a["state"] in states and (alert_id is None or a["id"] == alert_id)
        ]
        if severity:
            rows = [r for r in rows if r["severity"] == severity]
        return sorted(rows, key=lambda r: r["timestamp"], reverse=True)

    async def list_alerts(self, request: Request) -> Response:
        rows = self._alert_rows(request)
        return _big_list({"status": "ok", "alerts": rows, "count": len(rows)}, len(rows))

    async def alert(self, request: Request) -> Response:
        alert_id = _int(request.path_params["id"])
        if alert_id is None:
            return php_json({"status": "error", "message": "Invalid alert has been provided"}, 400)
        if request.method == "PUT":
            return await self._ack(request, alert_id)
        rows = self._alert_rows(request, alert_id)
        return php_json({"status": "ok", "alerts": rows, "count": len(rows)})

    async def _ack(self, request: Request, alert_id: int) -> Response:
        body = _json_body(await request.body())
        self.world.advance()
        note = str(body.get("note") or "")
        if not self.world.acknowledge(alert_id, note, body.get("until_clear")):
            return php_json({"status": "ok", "message": "No Alert by that ID"})
        return php_json({"status": "ok", "message": "Alert has been acknowledged"})

    async def unmute(self, request: Request) -> Response:
        alert_id = _int(request.path_params["id"])
        if alert_id is None:
            return php_json({"status": "error", "message": "Invalid alert has been provided"}, 400)
        note = _json_body(await request.body()).get("note")
        self.world.advance()
        if not self.world.unmute(alert_id, str(note) if note else None):
            return php_json({"status": "ok", "message": "No alert by that ID"})
        return php_json({"status": "ok", "message": "Alert has been unmuted"})

    async def rules(self, request: Request) -> Response:
        rule_id = request.path_params.get("id")
        rows = [r for r in self.world.rules if rule_id is None or str(r["id"]) == rule_id]
        return php_json({"status": "ok", "rules": rows, "count": len(rows)})

    # -- devices and ports (§5, §6) -----------------------------------------------------

    async def list_devices(self, request: Request) -> Response:
        kind = request.query_params.get("type", "all")
        query = request.query_params.get("query", "")
        tests: dict[str, Callable[[dict[str, Any]], bool]] = {
            # As list_devices filters (research §5.1): disabled or ignored is never up or down.
            "all": lambda d: True,
            "active": lambda d: not d["ignore"] and not d["disabled"],
            "up": lambda d: d["status"] == 1 and not d["ignore"] and not d["disabled"],
            "down": lambda d: d["status"] == 0 and not d["ignore"] and not d["disabled"],
            "disabled": lambda d: d["disabled"] == 1,
            "ignored": lambda d: d["ignore"] == 1 and not d["disabled"],
            "ipv4": lambda d: d["ip"] == query,
            "hostname": lambda d: query in d["hostname"],
            "os": lambda d: d["os"] == query,
            "location": lambda d: query in d["location"],
        }
        test = tests.get(kind, tests["all"])
        found = (self.world.device_row(d) for d in self.world.devices if test(d))
        rows = sorted(found, key=lambda d: d["hostname"])
        return _big_list({"status": "ok", "devices": rows, "count": len(rows)}, len(rows))

    async def device(self, request: Request) -> Response:
        host = request.path_params["hostname"]
        device = self.world.device_by(host)
        if device is None:
            return php_json({"status": "error", "message": f"Device {host} does not exist"}, 404)
        return php_json({"status": "ok", "devices": [self.world.device_row(device)], "count": 1})

    async def ports(self, request: Request) -> Response:
        host = request.path_params["hostname"]
        device = self.world.device_by(host)
        if device is None:
            return php_json({"status": "error", "message": f"Device {host} does not exist"}, 404)
        rows = [self.world.port_row(p) for p in self.world.ports.get(device["device_id"], [])]
        if not rows:
            return php_json({"status": "error", "message": "No ports found"}, 404)
        columns = request.query_params.get("columns", "ifName").split(",")
        unknown = [c for c in columns if c not in rows[0]]
        if unknown:
            return php_json(
                {"status": "error", "message": f"Invalid columns: {','.join(unknown)}"}, 400
            )
        return php_json({"status": "ok", "ports": [{c: r[c] for c in columns} for r in rows]})

    async def port(self, request: Request) -> Response:
        host, name = request.path_params["hostname"], request.path_params["ifname"]
        device = self.world.device_by(host)
        if device is None:
            return php_json({"status": "error", "message": f"Device {host} does not exist"}, 404)
        ports = self.world.ports.get(device["device_id"], [])
        found = next((p for p in ports if p["ifName"] == name), None)
        if found is None:
            message = f"Port {name} does not exist on device {host}"
            return php_json({"status": "error", "message": message}, 404)
        row = self.world.port_row(found)
        raw = request.query_params.get("columns")
        if raw:
            # Filtered after the row is built, keeping the row's key order (§6.2).
            columns = raw.split(",")
            unknown = [c for c in columns if c not in row]
            if unknown:
                message = f"Invalid columns: {','.join(unknown)}"
                return php_json({"status": "error", "message": message}, 400)
            row = {k: v for k, v in row.items() if k in columns}
        return php_json({"status": "ok", "port": row, "count": len(row)})

    async def route_not_found(self, request: Request) -> Response:
        return php_json(ROUTE_NOT_FOUND, 404)


def _big_list(body: dict[str, Any], rows: int) -> Response:
    if rows > BIG_LIST:
        # PHP pretty-prints, but Python's indenting encoder is pure Python: 200 ms for
        # 10,000 alerts of lab time in every poll. Whitespace means nothing to a client.
        text = json.dumps(body, ensure_ascii=True).replace("/", "\\/")
        return Response(text.encode(), 200, media_type="application/json")
    return php_json(body)


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def _json_body(raw: bytes) -> dict[str, Any]:
    """`json_decode(raw body)`: anything unreadable is an empty body, as in PHP."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _laravel_404(request: Request, exc: Exception) -> Response:
    return html(
        "<!DOCTYPE html>\n<html><head><title>Not Found</title></head>"
        "<body><h1>404 | Not Found</h1></body></html>\n",
        404,
    )


def create(
    *,
    seed: int,
    clock: Clock,
    devices: int = librenms_world.DEFAULT_DEVICES,
    alerts: int = librenms_world.DEFAULT_ALERTS,
) -> SimBackend:
    world = LibreNmsWorld(seed, clock, size=devices, open_alerts=alerts)
    api = LibreNmsApi(world)
    every = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/api/v0", authenticated(api.index)),
        Route("/api/v0/", authenticated(api.index)),
        Route("/api/v0/system", authenticated(api.system)),
        Route("/api/v0/alerts", authenticated(api.list_alerts)),
        Route("/api/v0/alerts/unmute/{id}", authenticated(api.unmute), methods=["PUT"]),
        Route("/api/v0/alerts/{id}", authenticated(api.alert), methods=["GET", "PUT"]),
        Route("/api/v0/rules", authenticated(api.rules)),
        Route("/api/v0/rules/{id}", authenticated(api.rules)),
        Route("/api/v0/devices", authenticated(api.list_devices)),
        Route("/api/v0/devices/{hostname}", authenticated(api.device)),
        Route("/api/v0/devices/{hostname}/ports", authenticated(api.ports)),
        Route("/api/v0/devices/{hostname}/ports/{ifname:path}", authenticated(api.port)),
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
