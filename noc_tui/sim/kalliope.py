"""KalliopePBX REST API 1.1 ("V3") imitation: HTTP Basic admin:md5(password), XML envelopes.

Every answer is `<kpbx_response>` with the request's `request_id` echoed as its first child.
With the license not active, every API but /system/network, /license and /pbx/apply answers
`request_not_allowed` (api-docs lines 90-240). XML is built with lxml, never by pasting text.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials
from noc_tui.sim.common import FaultBodies, SimBackend, html, plain, proxy_503
from noc_tui.sim.kalliope_world import (
    LabExtension,
    calls_in_hour,
    make_extensions,
    registration,
    wildcard,
)

PRIVACY_PASSWORD_MD5 = hashlib.md5(b"privacy-lab").hexdigest()
CDR_FIELDS = (
    "id",
    "unique_id",
    "direction",
    "caller_num",
    "caller_name",
    "called_num",
    "called_name",
    "called_callgroup",
    "gateway_id",
    "gateway_name",
    "status",
    "billsec",
    "start",
    "answer",
    "end",
    "duration",
)

USERNAME = credentials.KALLIOPE_USERNAME
PASSWORD = credentials.KALLIOPE_PASSWORD
PASSWORD_MD5 = credentials.KALLIOPE_PASSWORD_MD5
REALM = "KalliopePBX"
MEDIA_TYPE = "application/xml; charset=UTF-8"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The trees that stay usable without a license, so the PBX can reach the license server.
UNLICENSED_OK = ("/rest/system/network", "/rest/license", "/rest/pbx/apply")
LICENSE_MISSING = (1, "License missing")

STAMP = "%Y-%m-%d %H:%M:%S"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class KalliopeWorld:
    seed: int
    clock: Clock
    license_ok: bool = True
    firmware_primary: str = "3.14.2-4011"
    firmware_secondary: str = "3.13.7-3902"
    running: str = "primary"
    pending: bool = True  # the lab starts with unapplied changes so the banner can be tried
    extensions: list[LabExtension] | None = None
    calls_per_hour: int = 40

    def __post_init__(self) -> None:
        if self.extensions is None:
            self.extensions = make_extensions(self.seed)

    def chosen(self, exten: str) -> list[LabExtension]:
        everyone = self.extensions or []
        return [e for e in everyone if e.exten == exten] if exten else everyone


def element(tag: str, text: str | None = None, *children: etree._Element) -> etree._Element:
    node = etree.Element(tag)
    node.text = text
    node.extend(children)
    return node


async def request_id(request: Request) -> str | None:
    """GET/DELETE carry it in the query; PUT/POST under <kpbx_request><request_id>."""
    if request.method in ("GET", "HEAD", "DELETE"):
        return request.query_params.get("request_id")
    try:
        root = etree.fromstring(await request.body(), _PARSER)
    except etree.XMLSyntaxError:
        return None
    found = root.findtext("request_id")
    return None if found is None else str(found)


def xml_response(rid: str | None, *children: etree._Element, status: int = 200) -> Response:
    root = etree.Element("kpbx_response")
    if rid is not None:
        root.append(element("request_id", rid))
    root.extend(children)
    body = DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return Response(body, status, media_type=MEDIA_TYPE)


def error(code: int, message: str) -> etree._Element:
    return element("error", None, element("code", str(code)), element("message", message))


def _unauthorized() -> Response:
    return plain("401 Unauthorized\n", 401, {"WWW-Authenticate": f'Basic realm="{REALM}"'})


def _credentials_ok(header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user, USERNAME) and hmac.compare_digest(password, PASSWORD_MD5)


class KalliopeApi:
    def __init__(self, world: KalliopeWorld) -> None:
        self.world = world

    def api(self, handler: Handler) -> Handler:
        """Basic auth first, then the license gate, then the handler."""

        async def guarded(request: Request) -> Response:
            if not _credentials_ok(request.headers.get("authorization", "")):
                return _unauthorized()
            if not self.world.license_ok and not request.url.path.startswith(UNLICENSED_OK):
                blocked = element("request_not_allowed", None, error(*LICENSE_MISSING))
                return xml_response(await request_id(request), blocked)
            return await handler(request)

        return guarded

    async def firmware(self, request: Request) -> Response:
        world = self.world
        firmware = element(
            "firmware",
            None,
            element("primary", world.firmware_primary),
            element("secondary", world.firmware_secondary),
            element("running", world.running),
        )
        return xml_response(await request_id(request), firmware)

    async def registrations(self, request: Request) -> Response:
        world = self.world
        now = world.clock.now()
        exten = request.path_params.get("exten", "")
        found = element("registrations")
        for ext in world.chosen(exten):
            if not ext.enabled:
                continue  # the PBX lists registrations of enabled extensions only
            reg = registration(world.seed, ext, now)
            found.append(
                element(
                    "registration",
                    None,
                    element("exten", reg.exten),
                    element("status", reg.status),
                    element("rtt", f"{reg.rtt_ms} ms" if reg.rtt_ms is not None else None),
                    element("contact", f"sip:{reg.exten}@{reg.ip}:{reg.port}" if reg.ip else None),
                    element("ip", reg.ip or None),
                    element("port", str(reg.port) if reg.ip else None),
                    element("useragent", reg.agent or None),
                )
            )
        return xml_response(await request_id(request), found)

    async def brief(self, request: Request) -> Response:
        users = element("users")
        for ext in self.world.chosen(request.path_params.get("exten", "")):
            users.append(
                element(
                    "user",
                    None,
                    element("exten", ext.exten),
                    element("enabled", "true" if ext.enabled else "false"),
                    element("first_name", ext.first_name),
                    element("last_name", ext.last_name),
                )
            )
        return xml_response(await request_id(request), users)

    async def pending(self, request: Request) -> Response:
        state = "true" if self.world.pending else "false"
        return xml_response(await request_id(request), element("pbx_pending", state))

    async def apply(self, request: Request) -> Response:
        had = self.world.pending
        self.world.pending = False
        return xml_response(await request_id(request), element("pbx_applied", str(had).lower()))

    async def revert(self, request: Request) -> Response:
        had = self.world.pending
        self.world.pending = False
        return xml_response(await request_id(request), element("pbx_reverted", str(had).lower()))

    async def cdr(self, request: Request) -> Response:
        try:
            root = etree.fromstring(await request.body(), _PARSER)
        except etree.XMLSyntaxError:
            return xml_response(None, _cdr_error(12, "Internal error"))
        rid = root.findtext("request_id")
        query = root.find("cdr")
        query = query if query is not None else etree.Element("cdr")
        now = self.world.clock.now()
        month = datetime.fromtimestamp(now, UTC).replace(day=1, hour=0, minute=0, second=0)
        begin = _stamp(query.findtext("begin"), month.timestamp())
        end = _stamp(query.findtext("end"), now)
        privacy = (query.findtext("privacy_password") or "").strip()
        if privacy and privacy != PRIVACY_PASSWORD_MD5:
            return xml_response(rid, _cdr_error(3, "Authentication error"))
        if end < begin:
            return xml_response(rid, _cdr_error(11, "Invalid date time interval"))
        filters = {node.tag: (node.text or "") for node in query.iterfind("filter/*")}
        calls = [
            c
            for c in self._calls(begin, end, query.findtext("start_flag") != "false")
            if _matches(c, filters)
        ]
        rows = [_shown(c, bool(privacy)) for c in calls]
        if "text/csv" in request.headers.get("accept", ""):
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(CDR_FIELDS)
            writer.writerows([row[f] for f in CDR_FIELDS] for row in rows)
            return Response(out.getvalue().encode(), 200, media_type="text/csv; charset=UTF-8")
        listed = element("calls")
        for row in rows:
            listed.append(element("call", None, *(element(f, row[f] or None) for f in CDR_FIELDS)))
        answer = element(
            "cdr",
            None,
            element("error_code", None, element("code", "0"), element("message", "Success")),
            listed,
        )
        return xml_response(rid, answer)

    def _calls(self, begin: float, end: float, by_start: bool) -> list[dict[str, Any]]:
        world = self.world
        found = []
        for hour in range(int(begin // 3600) - 1, int(end // 3600) + 1):
            for call in calls_in_hour(
                world.seed, hour, world.extensions or [], world.calls_per_hour
            ):
                at = call["start"] if by_start else call["end"]
                if begin <= at <= end and call["start"] <= now_or(end, world.clock.now()):
                    found.append(call)
        return found


def now_or(end: float, now: float) -> float:
    return min(end, now)  # calls from the future are not recorded yet


def _stamp(text: str | None, default: float) -> float:
    if not text or not text.strip():
        return default
    try:
        return datetime.strptime(text.strip(), STAMP).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return default


def _cdr_error(code: int, message: str) -> etree._Element:
    return element(
        "cdr",
        None,
        element("error_code", None, element("code", str(code)), element("message", message)),
    )


def _matches(call: dict[str, Any], filters: dict[str, str]) -> bool:
    if filters.get("any"):
        return any(wildcard(filters["any"], str(value)) for value in call.values())
    return all(
        wildcard(pattern, str(call.get(name, ""))) for name, pattern in filters.items() if pattern
    )


def _shown(call: dict[str, Any], private_ok: bool) -> dict[str, str]:
    """Without the privacy password, external numbers lose their last three digits."""
    row = {k: str(v) for k, v in call.items()}
    for key in ("start", "answer", "end"):
        row[key] = datetime.fromtimestamp(call[key], UTC).strftime(STAMP) if call[key] else ""
    if not private_ok:
        for key, name in (("caller_num", "caller_name"), ("called_num", "called_name")):
            if row[key].startswith("+"):
                row[key] = row[key][:-3] + "XXX"
                row[name] = ""
    return row


def _garbage() -> Response:
    """A body cut short mid-element: not XML any parser accepts."""
    whole = xml_response("lab", element("firmware", None, element("primary", "3.14.2-4011")))
    return Response(bytes(whole.body)[: len(whole.body) // 2], 200, media_type=MEDIA_TYPE)


async def _not_found(request: Request, exc: Exception) -> Response:
    return html(
        "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n",
        404,
    )


def create(*, seed: int, clock: Clock, license_ok: bool = True) -> SimBackend:
    world = KalliopeWorld(seed, clock, license_ok)
    api = KalliopeApi(world)
    routes = [
        Route("/rest/system/firmware", api.api(api.firmware)),
        Route("/rest/system/firmware/", api.api(api.firmware)),
        Route("/rest/users/registrations/", api.api(api.registrations)),
        Route("/rest/users/registrations/{exten}", api.api(api.registrations)),
        Route("/rest/users/brief/", api.api(api.brief)),
        Route("/rest/users/brief/{exten}", api.api(api.brief)),
        Route("/rest/cdr", api.api(api.cdr), methods=["POST"]),
        Route("/rest/cdr/", api.api(api.cdr), methods=["POST"]),
        Route("/rest/pbx/pending", api.api(api.pending)),
        Route("/rest/pbx/apply", api.api(api.apply), methods=["PUT"]),
        Route("/rest/pbx/revert", api.api(api.revert), methods=["PUT"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.router.redirect_slashes = False
    bodies = FaultBodies(unauthorized=_unauthorized, server_error=proxy_503, garbage=_garbage)
    credentials = {"username": USERNAME, "password": PASSWORD}
    extra = {"password_md5": PASSWORD_MD5}
    return SimBackend("kalliope", app, bodies, credentials, world, extra, server="Apache")
