"""Krill (Phicus) imitation: simplejwt login, Bearer auth, the CPE inventory under /api/v2/.

Auth as krill-kalliope.md §1.2: `POST /api/v2/auth/login` (form or JSON) answers
`{"access": <HS256 JWT>}` valid 24 h on the lab clock; a static API token is accepted too.
Lists are DRF limit/offset pages whose `next` is absolute on Krill's internal host (§1.3).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials
from noc_tui.sim.common import (
    FaultBodies,
    SimBackend,
    django_app,
    django_redirect_slash,
    drf_json,
    field_errors,
    login_page,
    proxy_503,
    read_fields,
    replace_query,
    seeded_hex,
    with_query,
)
from noc_tui.sim.krill_world import KrillWorld, normalise_sn

USERNAME = credentials.KRILL_USERNAME
PASSWORD = credentials.KRILL_PASSWORD
STATIC_TOKEN = credentials.KRILL_STATIC_TOKEN  # Bearer too
USER_ID = 42
TOKEN_LIFETIME = 86_400.0
INTERNAL_BASE = "http://pre1:4280"  # Krill builds next/previous on its internal host name
DEFAULT_LIMIT = 10
CPES_PATH = "/api/v2/isp/cpes/"
FILTERS = ("external_id", "realm", "cpename", "internal_id", "pppoe_username")

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
NOT_VALID = {"detail": "Given token not valid for any token type", "code": "token_not_valid"}
BAD_LOGIN = {"detail": "No active account found with the given credentials"}
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="api"'}

Handler = Callable[[Request], Awaitable[Response]]


class AccessTokens:
    """simplejwt-style HS256 access tokens, signed with a per-seed lab secret."""

    def __init__(self, seed: int, clock: Clock) -> None:
        self._secret = hashlib.sha256(f"noc-tui-lab-krill:{seed}".encode()).digest()
        self._jti = random.Random(f"krill-jti:{seed}")
        self._clock = clock

    def issue(self) -> str:
        now = int(self._clock.now())
        header = {"typ": "JWT", "alg": "HS256"}
        claims = {
            "token_type": "access",
            "exp": now + int(TOKEN_LIFETIME),
            "iat": now,
            "jti": seeded_hex(self._jti, 32),
            "user_id": USER_ID,
        }
        signing_input = f"{_b64(header)}.{_b64(claims)}"
        return f"{signing_input}.{_b64_bytes(self._sign(signing_input))}"

    def valid(self, token: str) -> bool:
        parts = token.split(".")
        if len(parts) != 3:
            return False
        expected = _b64_bytes(self._sign(f"{parts[0]}.{parts[1]}"))
        if not hmac.compare_digest(expected, parts[2]):
            return False
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except ValueError:
            return False
        exp = claims.get("exp") if isinstance(claims, dict) else None
        fresh = isinstance(exp, int) and exp > self._clock.now()  # simplejwt: no leeway
        return fresh and claims.get("token_type") == "access"

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._secret, signing_input.encode(), hashlib.sha256).digest()


def _b64(obj: dict[str, Any]) -> str:
    return _b64_bytes(json.dumps(obj, separators=(",", ":")).encode())


def _b64_bytes(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class KrillApi:
    """The routes; each reads the world and answers like DRF behind nginx would."""

    def __init__(self, world: KrillWorld, tokens: AccessTokens) -> None:
        self.world = world
        self.tokens = tokens

    def authenticated(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            parts = request.headers.get("authorization", "").split()
            if not parts or parts[0] != "Bearer":
                return drf_json(NOT_PROVIDED, 401, WWW_AUTHENTICATE)
            if len(parts) != 2:
                body = {
                    "detail": "Authorization header must contain two space-delimited values",
                    "code": "bad_authorization_header",
                }
                return drf_json(body, 401, WWW_AUTHENTICATE)
            if not (hmac.compare_digest(parts[1], STATIC_TOKEN) or self.tokens.valid(parts[1])):
                return drf_json(NOT_VALID, 401, WWW_AUTHENTICATE)
            return await handler(request)

        return guarded

    async def login(self, request: Request) -> Response:
        if request.method != "POST":
            body = {"detail": f'Method "{request.method}" not allowed.'}
            return drf_json(body, 405, {"Allow": "POST, OPTIONS"})
        fields = await read_fields(request)
        missing = field_errors(fields, ("username", "password"))
        if missing:
            return drf_json(missing, 400)
        ok = hmac.compare_digest(str(fields["username"]), USERNAME) and hmac.compare_digest(
            str(fields["password"]), PASSWORD
        )
        if not ok:
            return drf_json(BAD_LOGIN, 401, WWW_AUTHENTICATE)
        return drf_json({"access": self.tokens.issue()})

    async def cpe_list(self, request: Request) -> Response:
        query = request.query_params
        rows = self.world.records
        keys = [key for key in ("sn", "mac", *FILTERS) if query.get(key)]
        if keys:  # the first filter through the index, the rest on what it found
            rows = self.world.matching(keys[0], query[keys[0]])
        if query.get("sn"):
            wanted = normalise_sn(query["sn"])
            rows = [row for row in rows if normalise_sn(row["sn"]) == wanted]
        if query.get("mac"):
            mac = query["mac"].strip().lower()
            rows = [row for row in rows if (row["mac"] or "").lower() == mac]
        for key in FILTERS:
            if key in query:
                rows = [row for row in rows if str(row[key] or "") == query[key]]
        limit = _positive_int(query.get("limit"), DEFAULT_LIMIT)
        offset = _non_negative_int(query.get("offset"))
        page = rows[offset : offset + limit]
        attrs = _attrs(query.get("attrs"))
        more = offset + limit < len(rows)
        return drf_json(
            {
                "count": len(rows),
                "next": self._link(request, limit, offset + limit) if more else None,
                "previous": self._link(request, limit, offset - limit) if offset > 0 else None,
                "results": [self._shown(row, attrs, query.get("joins")) for row in page],
            }
        )

    async def cpe_detail(self, request: Request) -> Response:
        raw = request.path_params["cpe_id"]
        record = self.world.get(int(raw)) if raw.isdigit() else None
        if record is None:
            return drf_json({"detail": "Not found."}, 404)
        query = request.query_params
        return drf_json(self._shown(record, _attrs(query.get("attrs")), query.get("joins")))

    def _shown(
        self, record: dict[str, Any], attrs: list[str] | None, joins: str | None = None
    ) -> dict[str, Any]:
        shown = self.world.render(record)
        # The docs' typo `joins==customer` arrives as "=customer".
        joined = [join.lstrip("=") for join in _attrs(joins) or []]
        if "customer" in joined:
            shown["customer"] = self.world.customer(record)
        if "potses" in joined:
            shown["potses"] = self.world.potses(record)
        if attrs is None:
            return shown
        return {key: value for key, value in shown.items() if key in attrs or key in joined}

    async def monitoring_info(self, request: Request) -> Response:
        raw = request.path_params["cpe_id"]
        record = self.world.get(int(raw)) if raw.isdigit() else None
        info = self.world.monitor.info(record, self.world.clock.now()) if record else None
        if info is None:
            return drf_json({"detail": "Not found."}, 404)
        return drf_json(info)

    async def monitoring_host(self, request: Request) -> Response:
        record = self.world.by_name(request.path_params["name"])
        host = self.world.monitor.host(record, self.world.clock.now()) if record else None
        if host is None:
            return drf_json({"detail": "Not found."}, 404)
        return drf_json(host)

    async def monitoring_graphs(self, request: Request) -> Response:
        record = self.world.by_name(request.query_params.get("host_name", ""))
        if record is None:
            return drf_json({"graphs": []})
        service = request.query_params.get("service_name")
        if service == "txrx":
            graphs = (
                []
                if record["tech"] != "gpon"
                else [_graph(m, "check_txrx", "null", w, c) for m, w, c in TXRX_GRAPHS]
            )
        elif service:
            graphs = []
        else:
            graphs = [
                {
                    "group": "bandwidth",
                    "severity": 0,
                    "title": "Bandwidth",
                    "type": "LineChart",
                    "weight": 3,
                    "range": "24h",
                    "datasets": [
                        _dataset(m, "check_cpe", "B", None, None, i + 1)
                        for i, m in enumerate(("dnbw", "upbw"))
                    ],
                }
            ]
        return drf_json({"graphs": graphs})

    async def monitoring_datasets(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return drf_json({"detail": "JSON parse error"}, 400)
        if not isinstance(body, dict) or not isinstance(body.get("metrics"), list):
            return drf_json({"metrics": ["This field is required."]}, 400)
        now = self.world.clock.now()
        start, end = _ago(body.get("start"), now), _ago(body.get("end") or "0m", now)
        if start is None or end is None:
            return drf_json({"start": ["Use <number><m|h|d|M>."]}, 400)
        out: dict[str, Any] = {}
        for item in body["metrics"]:
            item = item if isinstance(item, dict) else {}
            host = str(item.get("host_name") or body.get("host_name") or "")
            record = self.world.by_name(host)
            key = "__".join(
                str(item.get(k) or "")
                for k in ("measurement", "host_name", "service_name", "metric")
            )
            points = (
                self.world.monitor.series(record, str(item.get("metric")), start, end)
                if record
                else []
            )
            out[key] = [{"time": iso_z(t), "value": v, "unit": None} for t, v in points]
        return drf_json(out)

    async def action(self, request: Request) -> Response:
        raw, name = request.path_params["cpe_id"], request.path_params["action"]
        record = self.world.get(int(raw)) if raw.isdigit() else None
        action = ACTION_PATHS.get(name)
        if record is None or action is None:
            return drf_json({"detail": "Not found."}, 404)
        if request.method not in ("POST", "PUT"):
            return drf_json({"detail": f'Method "{request.method}" not allowed.'}, 405)
        self.world.monitor.act(record, action, self.world.clock.now())
        return drf_json(
            {
                "status": "queued",
                "action": action,
                "id": record["id"],
                "detail": f"{action} queued for {record['cpename']}",
            },
            202,
        )

    def _link(self, request: Request, limit: int, offset: int) -> str:
        # DRF drops `offset` on the way back to the first page; commas stay as Krill shows them.
        changes = {"limit": str(limit), "offset": str(offset) if offset > 0 else None}
        query = replace_query(request.url.query, changes, safe=",")
        return with_query(INTERNAL_BASE + request.url.path, query)


TXRX_GRAPHS = (
    ("dnrx", -11, -8),
    ("uprx", -12, -9),
    ("uptx", 15, 16),
    ("dnatt", 26, 46),
    ("upatt", 26, 46),
    ("pondesv", 2, 4),
)
ACTION_PATHS = {
    "reboot": "reboot",
    "unprovision": "unprovision",
    "reprovision": "reprovision",
    "factory": "factory",
    "reconfig": "reconfig",
    "cwmp_diagnostic": "diagnostic",
}
MAGNITUDES = {"m": 60, "h": 3600, "d": 86_400, "M": 30 * 86_400}


def _dataset(
    metric: str, measurement: str, uom: str, warn: Any, crit: Any, colour: int | None = None
) -> dict[str, Any]:
    low = {"dnrx": -49, "uprx": -49, "uptx": -10, "pondesv": -10}.get(metric, 1)
    low_high = (None, None) if measurement == "check_cpe" else (low, low)  # Krill's min == max
    return {
        "label": metric,
        "measurement": measurement,
        "metric": metric,
        "uom": uom,
        "min": low_high[0],
        "max": low_high[1],
        "warning": warn,
        "critical": crit,
        "error": None,
        "percentile": None,
        "operator": None,
        "color_index": colour,
    }


def _graph(metric: str, measurement: str, uom: str, warn: Any, crit: Any) -> dict[str, Any]:
    title = f"{metric} Graph."
    return {
        "group": title,
        "severity": 0,
        "title": title,
        "type": "LineChart",
        "weight": 0,
        "range": "24h",
        "datasets": [_dataset(metric, measurement, uom, warn, crit)],
    }


def _ago(raw: Any, now: float) -> float | None:
    text = str(raw or "")
    if len(text) < 2 or text[-1] not in MAGNITUDES or not text[:-1].isdigit():
        return None
    return now - int(text[:-1]) * MAGNITUDES[text[-1]]


def iso_z(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _attrs(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    return [name.strip() for name in raw.split(",") if name.strip()]


def _positive_int(raw: str | None, default: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return value if value > 0 else default


def _non_negative_int(raw: str | None) -> int:
    try:
        return max(0, int(raw or ""))
    except ValueError:
        return 0


def create(*, seed: int, clock: Clock, cpes: int = 500) -> SimBackend:
    world = KrillWorld(seed, clock, cpes)
    api = KrillApi(world, AccessTokens(seed, clock))
    routes = [
        Route("/api/v2/auth/login", api.login, methods=["GET", "POST"]),
        Route("/api/v2/auth/login/", api.login, methods=["GET", "POST"]),
        Route(CPES_PATH, api.authenticated(api.cpe_list)),
        Route(CPES_PATH + "{cpe_id}/", api.authenticated(api.cpe_detail)),
        Route("/api/v2/monitoring/cpes/{cpe_id}/info", api.authenticated(api.monitoring_info)),
        Route("/api/v2/monitoring/hosts/{name}", api.authenticated(api.monitoring_host)),
        Route("/api/v2/monitoring/graphs/", api.authenticated(api.monitoring_graphs)),
        Route(
            "/api/v2/monitoring/datasets/",
            api.authenticated(api.monitoring_datasets),
            methods=["POST"],
        ),
        # Both link styles Krill hands out in `_links.actions`.
        Route(
            CPES_PATH + "{cpe_id}/{action}",
            api.authenticated(api.action),
            methods=["GET", "POST", "PUT"],
        ),
        Route(
            "/api/v2/cpes/{cpe_id}/{action}",
            api.authenticated(api.action),
            methods=["GET", "POST", "PUT"],
        ),
        Route(CPES_PATH.rstrip("/"), django_redirect_slash),
        Route(CPES_PATH + "{cpe_id}", django_redirect_slash),
    ]
    app = django_app(routes)
    bodies = FaultBodies(
        unauthorized=lambda: drf_json(NOT_VALID, 401, WWW_AUTHENTICATE),
        server_error=proxy_503,
        garbage=lambda: login_page("Krill"),
    )
    credentials = {"username": USERNAME, "password": PASSWORD}
    extra = {"static_token": STATIC_TOKEN}
    server = "nginx/1.18.0 (Ubuntu)"
    return SimBackend("krill", app, bodies, credentials, world, extra, server=server)
