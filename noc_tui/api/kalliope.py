"""KalliopePBX (API 1.1, "V3"): XML REST under /rest/, HTTP Basic with the md5 password.

Bodies are parsed with lxml from bytes, so the XML declaration's encoding wins; every
`<error>` in an answer becomes one of our errors with the server's code and message.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import threading
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import TYPE_CHECKING

from noc_tui.api.auth import Auth, BasicAuth, NoAuth
from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.errors import (
    BackendError,
    MalformedResponse,
    NotFound,
    ServerError,
)
from noc_tui.api.http import segment
from noc_tui.api.kalliope_cdr import CDR_PATH, Call, CdrQuery, LicenseBlocked
from noc_tui.api.kalliope_cdr_stream import export_csv, stream_calls
from noc_tui.api.kalliope_models import (
    Callgroup,
    Conference,
    Extension,
    ExtensionConfig,
    Registration,
    VoicemailCount,
    callgroup,
    conference,
    extension,
    extension_config,
    flag,
    registration,
    voicemail_count,
)
from noc_tui.api.listing import Listing, unique
from noc_tui.lazy import LazyModule

if TYPE_CHECKING:
    import httpx
    from lxml import etree
else:
    httpx = LazyModule("httpx")
    etree = LazyModule("lxml.etree")

LICENSE_ERRORS = {1: "license missing", 2: "license expired", 3: "license disabled"}

# "Callgroup not exists" (API 1.1 tables): the operator asked for something that is not there.
NOT_FOUND_CODES = frozenset({("callgroups", "15"), ("callgroup", "15")})
SUPPORTED_API_VERSIONS = (3,)  # V4 (X-authenticate digest, /rest/cdr/<format>) comes later


class UnsupportedApi(BackendError):
    """The backend's configured API generation is one this console does not speak yet."""

    kind = "unsupported"
    label = "not supported"


_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# Above this, an answer is parsed in a worker thread: 200 MB of XML held the event loop (the
# console's keys and screens) for 12 s. Below it, a thread costs more than the parse.
LARGE_XML_BYTES = 1 << 20
_PARSERS = threading.local()  # an lxml parser must not be shared between threads


def _parser() -> etree.XMLParser:
    """This thread's parser: it will not fetch external entities or DTDs a body names."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        _PARSERS.parser = parser
    return parser


class KalliopeClient(ApiClient):
    kind = "kalliope"

    def make_auth(self) -> Auth:
        settings = self.settings
        if settings.password_md5:
            return BasicAuth(settings.username or "admin", settings.password_md5)
        return NoAuth()

    def query_paths(self) -> tuple[str, ...]:
        # The CDR search is a POST that only reads (the wallboard's calls of the last hour).
        return (CDR_PATH, CDR_PATH + "/")

    def error_message(self, response: httpx.Response) -> str:
        try:
            root = etree.fromstring(response.content, _parser())
        except etree.XMLSyntaxError:
            return ""
        message = root.findtext(".//error/message")
        return message or ""

    @property
    def api_version(self) -> int:
        """The configured generation (`api_version`, default 3; a number, checked at load)."""
        return self.settings.api_version

    def require_supported_api(self) -> None:
        """Raise before any request when the PBX speaks an API we do not (V4 for now)."""
        version = self.api_version
        if version in SUPPORTED_API_VERSIONS:
            return
        detail = (
            f"API V{version} not supported yet; this console speaks API 1.1 (V3): "
            "set api_version = 3 if the PBX still serves /rest/ V3"
        )
        raise UnsupportedApi(self.name, detail)

    async def get_xml(self, path: str, params: dict[str, str] | None = None) -> etree._Element:
        """GET a /rest/ resource with a fresh request_id and return the checked response root."""
        self.require_supported_api()
        request_id = secrets.token_hex(4)
        query = {"request_id": request_id, **(params or {})}
        response = await self.session.request("GET", path, params=query)
        return await self.parse_off_loop(response, request_id)

    async def registrations(self, exten: str = "") -> list[Registration]:
        root = await self.get_xml(f"/rest/users/registrations/{_segment(exten)}")
        return [registration(node) for node in root.iterfind("registrations/registration")]

    async def extensions(self, exten: str = "") -> Listing[Extension]:
        """An extension the PBX lists twice is kept once (and counted) so a table never breaks."""
        root = await self.get_xml(f"/rest/users/brief/{_segment(exten)}")
        nodes = root.iterfind("users/user")
        return unique((extension(node) for node in nodes), key=lambda e: e.extension)

    async def extension_configs(self, exten: str = "") -> list[ExtensionConfig]:
        """Extended configuration; SIP/voicemail/GUI secrets come back only as "set or not"."""
        root = await self.get_xml(f"/rest/users/configs/{_segment(exten)}")
        return [extension_config(node) for node in root.iterfind("configs/config")]

    async def voicemail_count(self, mailbox: str) -> VoicemailCount | None:
        """Urgent, new and old messages; None when the PBX has no such mailbox."""
        root = await self.get_xml(f"/rest/voicemails/count/{_segment(mailbox)}")
        node = root.find("voicemails/voicemail")
        return None if node is None else voicemail_count(node)

    async def callgroups(self, group_id: str = "") -> list[Callgroup]:
        root = await self.get_xml(f"/rest/pbx/callgroups/{_segment(group_id)}".rstrip("/"))
        return [callgroup(node) for node in root.iterfind("callgroups/callgroup")]

    async def conferences(self) -> list[Conference]:
        root = await self.get_xml("/rest/pbx/conferences")
        return [conference(node) for node in root.iterfind("conferences/conference")]

    async def pending(self) -> bool:
        return flag(await self.get_xml("/rest/pbx/pending"), "pbx_pending")

    async def apply(self) -> bool:
        """Make pending changes operational (audited; refused in read-only)."""
        return await self._put_action("apply pending changes", "/rest/pbx/apply", "pbx_applied")

    async def revert(self) -> bool:
        return await self._put_action("revert pending changes", "/rest/pbx/revert", "pbx_reverted")

    async def cdr(self, query: CdrQuery) -> AsyncGenerator[list[Call], None]:
        """Calls of the query in batches, newest first, each call once (kalliope_cdr_stream)."""
        async with contextlib.aclosing(stream_calls(self, query)) as batches:
            async for batch in batches:
                yield batch

    async def export_cdr_csv(self, query: CdrQuery, path: Path) -> int:
        """The PBX's own CSV of the query written to `path`; returns the number of rows."""
        return await export_csv(self, query, path)

    async def _put_action(self, action: str, path: str, answer: str) -> bool:
        self.require_supported_api()
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
        return flag(await self.parse_off_loop(response, request_id), answer)

    async def parse_off_loop(
        self, response: httpx.Response, request_id: str | None
    ) -> etree._Element:
        """`parse`, with a large body's parse in a worker thread so the loop stays free."""
        if len(response.content) <= LARGE_XML_BYTES:
            return self.parse(response, request_id)
        try:
            root = await asyncio.to_thread(_xml_root, response)
        except etree.XMLSyntaxError as exc:
            raise self.malformed(f"the XML body does not parse ({exc.msg})") from None
        return self.checked(root, request_id)

    def parse(self, response: httpx.Response, request_id: str | None) -> etree._Element:
        try:
            root = _xml_root(response)
        except etree.XMLSyntaxError as exc:
            raise self.malformed(f"the XML body does not parse ({exc.msg})") from None
        return self.checked(root, request_id)

    def checked(self, root: etree._Element, request_id: str | None) -> etree._Element:
        """The root of a parsed answer, once it is a <kpbx_response> without an <error>."""
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
            number = _int(blocked.findtext("code"))
            message = blocked.findtext("message") or ""
            raise self.session.fail(LicenseBlocked(self.name, number, message))
        error = root.find(".//error")
        if error is not None:
            code = error.findtext("code") or "?"
            message = error.findtext("message") or "error"
            parent = error.getparent()
            if parent is not None and (parent.tag, code) in NOT_FOUND_CODES:
                raise NotFound(self.name, f"code {code}: {message}")
            raise ServerError(self.name, f"code {code}: {message}")

    async def ping(self) -> PingResult:
        root = await self.get_xml("/rest/system/firmware")
        running = (root.findtext("firmware/running") or "").strip()
        # By tag, not by a path built from the answer: "a[" is an invalid ElementPath.
        firmware = root.find("firmware")
        slots = [] if firmware is None else [child for child in firmware if child.tag == running]
        version = slots[0].text if running and slots else None
        if version is None:
            raise MalformedResponse(self.name, "firmware answer without a running version")
        return PingResult(self.name, f"firmware {version.strip()}")


def _xml_root(response: httpx.Response) -> etree._Element:
    """Parse by the XML declaration; a body whose bytes are not what it declares (Latin names
    sent as cp1252 under a UTF-8 or missing declaration) is decoded as `decode` says instead."""
    try:
        return etree.fromstring(response.content, _parser())
    except etree.XMLSyntaxError as exc:
        if "encoding" not in str(exc).lower() and "utf-8" not in str(exc).lower():
            raise
    text = _DECLARATION.sub("", decode(response), count=1)  # lxml refuses str with one
    return etree.fromstring(text, _parser())


def _segment(value: str) -> str:
    """One path segment, percent-encoded: an id or mailbox can never add a path or query."""
    return segment(value.strip())


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
