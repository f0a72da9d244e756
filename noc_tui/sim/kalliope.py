"""KalliopePBX REST API 1.1 ("V3") imitation: HTTP Basic admin:md5(password), XML envelopes.

Every answer is `<kpbx_response>` with the request's `request_id` echoed as its first child.
With the license not active, every API but /system/network, /license and /pbx/apply answers
`request_not_allowed` (api-docs lines 90-240). XML is built with lxml, never by pasting text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from noc_tui.clock import Clock
from noc_tui.sim import credentials
from noc_tui.sim.common import FaultBodies, SimBackend, html, plain, proxy_503

USERNAME = credentials.KALLIOPE_USERNAME
PASSWORD = credentials.KALLIOPE_PASSWORD
PASSWORD_MD5 = credentials.KALLIOPE_PASSWORD_MD5
REALM = "KalliopePBX"
MEDIA_TYPE = "application/xml; charset=UTF-8"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The trees that stay usable without a license, so the PBX can reach the license server.
UNLICENSED_OK = ("/rest/system/network", "/rest/license", "/rest/pbx/apply")
LICENSE_MISSING = (1, "License missing")

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
            "firmware", None,
            element("primary", world.firmware_primary),
            element("secondary", world.firmware_secondary),
            element("running", world.running),
        )
        return xml_response(await request_id(request), firmware)


def _garbage() -> Response:
    """A body cut short mid-element: not XML any parser accepts."""
    whole = xml_response("lab", element("firmware", None, element("primary", "3.14.2-4011")))
    return Response(bytes(whole.body)[: len(whole.body) // 2], 200, media_type=MEDIA_TYPE)


async def _not_found(request: Request, exc: Exception) -> Response:
    return html("<html><head><title>404 Not Found</title></head><body>"
                "<h1>Not Found</h1></body></html>\n", 404)


def create(*, seed: int, clock: Clock, license_ok: bool = True) -> SimBackend:
    world = KalliopeWorld(seed, clock, license_ok)
    api = KalliopeApi(world)
    routes = [
        Route("/rest/system/firmware", api.api(api.firmware)),
        Route("/rest/system/firmware/", api.api(api.firmware)),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.router.redirect_slashes = False
    bodies = FaultBodies(unauthorized=_unauthorized, server_error=proxy_503, garbage=_garbage)
    credentials = {"username": USERNAME, "password": PASSWORD}
    extra = {"password_md5": PASSWORD_MD5}
    return SimBackend("kalliope", app, bodies, credentials, world, extra, server="Apache")
