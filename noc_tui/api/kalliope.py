"""KalliopePBX (API 1.1, "V3"): XML REST under /rest/, HTTP Basic with the md5 password.

Bodies are parsed with lxml from bytes, so the XML declaration's encoding wins; every
`<error>` in an answer becomes one of our errors with the server's code and message.
"""

from __future__ import annotations

import secrets

import httpx
from lxml import etree

from noc_tui.api.auth import Auth, BasicAuth, NoAuth
from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.errors import AuthFailed, MalformedResponse, ServerError

LICENSE_ERRORS = {1: "license missing", 2: "license expired", 3: "license disabled"}

# A parser that will not fetch external entities or DTDs named by a hostile body.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class KalliopeClient(ApiClient):
    kind = "kalliope"

    def make_auth(self) -> Auth:
        settings = self.settings
        if settings.password_md5:
            return BasicAuth(settings.username or "admin", settings.password_md5)
        return NoAuth()

    def error_message(self, response: httpx.Response) -> str:
        try:
            root = etree.fromstring(response.content, _PARSER)
        except etree.XMLSyntaxError:
            return ""
        message = root.findtext(".//error/message")
        return message or ""

    async def get_xml(self, path: str, params: dict[str, str] | None = None) -> etree._Element:
        """GET a /rest/ resource with a fresh request_id and return the checked response root."""
        request_id = secrets.token_hex(4)
        query = {"request_id": request_id, **(params or {})}
        response = await self.session.request("GET", path, params=query)
        return self.parse(response, request_id)

    def parse(self, response: httpx.Response, request_id: str | None) -> etree._Element:
        try:
            root = etree.fromstring(response.content, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise self.malformed(f"the XML body does not parse ({exc.msg})") from None
        if root.tag != "kpbx_response":
            raise self.malformed(f"expected <kpbx_response>, got <{root.tag}>")
        self._raise_for_error(root)
        echoed = root.findtext("request_id")
        if request_id and echoed is not None and echoed != request_id:
            raise self.malformed(f"request_id mismatch: sent {request_id}, got {echoed}")
        return root

    def _raise_for_error(self, root: etree._Element) -> None:
        blocked = root.find("request_not_allowed/error")
        if blocked is not None:
            code = _int(blocked.findtext("code"))
            reason = LICENSE_ERRORS.get(code, blocked.findtext("message") or "not allowed")
            raise self.session.fail(AuthFailed(self.name, f"PBX API blocked: {reason}"))
        error = root.find(".//error")
        if error is not None:
            code = error.findtext("code") or "?"
            message = error.findtext("message") or "error"
            raise ServerError(self.name, f"code {code}: {message}")

    async def ping(self) -> PingResult:
        root = await self.get_xml("/rest/system/firmware")
        running = root.findtext("firmware/running")
        version = root.findtext(f"firmware/{running}") if running else None
        if version is None:
            raise MalformedResponse(self.name, "firmware answer without a running version")
        return PingResult(self.name, f"firmware {version.strip()}")


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return 0
