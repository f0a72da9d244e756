"""KalliopePBX REST API 1.1 ("V3") imitation: HTTP Basic admin:md5(password), XML envelopes.

Every answer is `<kpbx_response>` with the request's `request_id` echoed as its first child.
With the license not active, every API but /system/network, /license and /pbx/apply answers
`request_not_allowed` (api-docs lines 90-240). XML is built with lxml, never by pasting text.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials, kalliope_cdr, kalliope_config
from noc_tui.sim.common import FaultBodies, SimBackend, html, plain, proxy_503
from noc_tui.sim.kalliope_world import (
    DEFAULT_EXTENSIONS,
    LabCallgroup,
    LabExtension,
    make_callgroups,
    make_extensions,
    registration,
)

PRIVACY_PASSWORD_MD5 = kalliope_cdr.PRIVACY_PASSWORD_MD5

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
    callgroups: list[LabCallgroup] | None = None

    def __post_init__(self) -> None:
        if self.extensions is None:
            self.extensions = make_extensions(self.seed)
        if self.callgroups is None:
            self.callgroups = make_callgroups(self.seed, self.extensions)

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

    async def configs(self, request: Request) -> Response:
        world, everyone = self.world, self.world.extensions or []
        chosen = world.chosen(request.path_params.get("exten", ""))
        found = kalliope_config.configs(world.seed, chosen, everyone)
        return xml_response(await request_id(request), found)

    async def voicemail_count(self, request: Request) -> Response:
        world, everyone = self.world, self.world.extensions or []
        chosen = world.chosen(request.path_params["mailbox"])
        ext = chosen[0] if chosen else None
        found = kalliope_config.voicemails(world.seed, ext, everyone, world.clock.now())
        return xml_response(await request_id(request), found)

    async def callgroups(self, request: Request) -> Response:
        wanted = request.path_params.get("group_id", "")
        groups = [g for g in self.world.callgroups or [] if not wanted or g.id == wanted]
        rid = await request_id(request)
        if wanted and not groups:
            return xml_response(rid, element("callgroups", None, error(15, "Callgroup not exists")))
        names = kalliope_config.display_names(self.world.extensions or [])
        return xml_response(rid, kalliope_config.callgroups(groups, names))

    async def conferences(self, request: Request) -> Response:
        return xml_response(await request_id(request), kalliope_config.conferences())

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
        return await kalliope_cdr.answer(self.world, request)  # streamed: sim/kalliope_cdr.py


def _garbage() -> Response:
    """A body cut short mid-element: not XML any parser accepts."""
    whole = xml_response("lab", element("firmware", None, element("primary", "3.14.2-4011")))
    return Response(bytes(whole.body)[: len(whole.body) // 2], 200, media_type=MEDIA_TYPE)


async def _not_found(request: Request, exc: Exception) -> Response:
    return html(
        "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n",
        404,
    )


def create(
    *, seed: int, clock: Clock, license_ok: bool = True, extensions: int = DEFAULT_EXTENSIONS
) -> SimBackend:
    world = KalliopeWorld(seed, clock, license_ok, extensions=make_extensions(seed, extensions))
    api = KalliopeApi(world)
    routes = [
        Route("/rest/system/firmware", api.api(api.firmware)),
        Route("/rest/system/firmware/", api.api(api.firmware)),
        Route("/rest/users/registrations/", api.api(api.registrations)),
        Route("/rest/users/registrations/{exten}", api.api(api.registrations)),
        Route("/rest/users/brief/", api.api(api.brief)),
        Route("/rest/users/brief/{exten}", api.api(api.brief)),
        Route("/rest/users/configs/", api.api(api.configs)),
        Route("/rest/users/configs/{exten}", api.api(api.configs)),
        Route("/rest/voicemails/count/{mailbox}", api.api(api.voicemail_count)),
        Route("/rest/pbx/callgroups", api.api(api.callgroups)),
        Route("/rest/pbx/callgroups/{group_id}", api.api(api.callgroups)),
        Route("/rest/pbx/conferences", api.api(api.conferences)),
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
