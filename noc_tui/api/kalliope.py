"""KalliopePBX (API 1.1, "V3"): XML REST under /rest/, HTTP Basic with the md5 password.

Bodies are parsed with lxml from bytes, so the XML declaration's encoding wins; every
`<error>` in an answer becomes one of our errors with the server's code and message.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
from lxml import etree

from noc_tui.api.auth import Auth, BasicAuth, NoAuth
from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.errors import AuthFailed, MalformedResponse, ServerError
from noc_tui.api.kalliope_cdr import (
    CDR_ERRORS,
    Call,
    CdrParser,
    CdrQuery,
    day_windows,
    request_body,
)
from noc_tui.api.kalliope_models import Extension, Registration, extension, flag, registration

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

    async def registrations(self, exten: str = "") -> list[Registration]:
        root = await self.get_xml(f"/rest/users/registrations/{exten}")
        return [registration(node) for node in root.iterfind("registrations/registration")]

    async def extensions(self, exten: str = "") -> list[Extension]:
        root = await self.get_xml(f"/rest/users/brief/{exten}")
        return [extension(node) for node in root.iterfind("users/user")]

    async def pending(self) -> bool:
        return flag(await self.get_xml("/rest/pbx/pending"), "pbx_pending")

    async def apply(self) -> bool:
        """Make pending changes operational (audited; refused in read-only)."""
        return await self._put_action("apply pending changes", "/rest/pbx/apply", "pbx_applied")

    async def revert(self) -> bool:
        return await self._put_action("revert pending changes", "/rest/pbx/revert", "pbx_reverted")

    async def cdr(self, query: CdrQuery) -> AsyncIterator[list[Call]]:
        """Calls of the query, one batch per day window, each call once (by unique_id/id)."""
        seen: set[str] = set()
        for begin, end in _windows(query):
            request_id = secrets.token_hex(4)
            response = await self.session.request(
                "POST",
                "/rest/cdr",
                content=request_body(query, begin, end, request_id),
                headers={"Content-Type": "application/xml; charset=UTF-8"},
                query=True,
            )
            parser = CdrParser()
            batch: list[Call] = []
            try:
                body = response.content
                for start in range(0, len(body), 1 << 16):
                    batch += parser.feed(body[start : start + (1 << 16)])
                batch += parser.close()
            except etree.XMLSyntaxError as exc:
                raise self.malformed(f"the CDR XML does not parse ({exc.msg})") from None
            if parser.error:
                code, message = parser.error
                raise ServerError(self.name, f"CDR code {code}: {CDR_ERRORS.get(code, message)}")
            if not batch:
                self.parse(response, request_id)  # license block or <error> in a short answer
            fresh = [call for call in batch if call.key not in seen]
            seen.update(call.key for call in fresh)
            yield fresh

    async def cdr_csv(self, query: CdrQuery) -> str:
        """The PBX's own CSV of the query (Accept: text/csv), one header, windows joined."""
        parts: list[str] = []
        for begin, end in _windows(query):
            request_id = secrets.token_hex(4)
            response = await self.session.request(
                "POST",
                "/rest/cdr",
                content=request_body(query, begin, end, request_id),
                headers={"Content-Type": "application/xml; charset=UTF-8", "Accept": "text/csv"},
                query=True,
            )
            if response.content.lstrip().startswith(b"<"):
                self.parse(response, request_id)  # an XML error instead of CSV
            lines = decode(response).splitlines()
            parts += lines if not parts else lines[1:]
        return "\n".join(parts) + ("\n" if parts else "")

    async def _put_action(self, action: str, path: str, answer: str) -> bool:
        request_id = secrets.token_hex(4)
        body = etree.Element("kpbx_request")
        etree.SubElement(body, "request_id").text = request_id
        content = etree.tostring(body, xml_declaration=True, encoding="UTF-8")
        response = await self.session.action(
            action,
            self.name,
            "PUT",
            path,
            content=content,
            headers={"Content-Type": "application/xml; charset=UTF-8"},
        )
        return flag(self.parse(response, request_id), answer)

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


def _windows(query: CdrQuery) -> list[tuple[datetime, datetime]]:
    # End before begin is sent as is, so the PBX's own error 11 reaches the operator.
    return list(day_windows(query.begin, query.end)) or [(query.begin, query.end)]


def decode(response: httpx.Response) -> str:
    """By the declared charset, else UTF-8, else cp1252 (old PBXes export Latin names so)."""
    for charset in (response.charset_encoding, "utf-8", "cp1252"):
        if not charset:
            continue
        try:
            return response.content.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return response.content.decode("utf-8", errors="replace")


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return 0
