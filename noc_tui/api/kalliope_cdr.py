"""KalliopePBX call records (POST /rest/cdr, API 1.1): the model, request bodies, the parser.

The API has no pagination, so a long range is asked for in windows (kalliope_cdr_stream.py)
and each answer is parsed with a pull parser that clears every <call> once read: memory stays
bounded by one call plus the compact records kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from noc_tui.api.errors import AuthFailed
from noc_tui.lazy import LazyModule

if TYPE_CHECKING:
    from lxml import etree
else:
    etree = LazyModule("lxml.etree")

CDR_PATH = "/rest/cdr"  # a POST that only reads: the search takes an XML body

DIRECTIONS = {1: ("↓", "inbound"), 2: ("↑", "outbound"), 4: ("↔", "internal")}
STATUSES = {1: "failed", 2: "busy", 3: "congestion", 4: "no answer", 8: "answered"}
CDR_ERRORS = {
    3: "wrong privacy password",
    11: "end is before begin (invalid interval)",
    12: "internal error of the PBX",
}
LICENSE_ERRORS = {1: "license missing", 2: "license expired", 3: "license disabled"}
FILTER_FIELDS = (
    "any",
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
)
STAMP = "%Y-%m-%d %H:%M:%S"


class LicenseBlocked(AuthFailed):
    """`request_not_allowed`: the PBX's API license is missing (1), expired (2) or disabled (3)."""

    kind = "license"
    label = "license"

    def __init__(self, backend: str, code: int, message: str = "") -> None:
        self.code = code
        self.reason = LICENSE_ERRORS.get(code, message or "API not allowed")
        super().__init__(backend, f"{self.reason} (code {code}): the PBX answers no API calls")


@dataclass(frozen=True)
class CdrQuery:
    begin: datetime
    end: datetime
    filters: dict[str, str] = field(default_factory=dict)  # FILTER_FIELDS, '%' as wildcard
    privacy_md5: str = ""  # empty: the backend's configured privacy password, if any
    start_flag: bool = True  # begin/end bound the start of a call; False: its end


class Call(NamedTuple):
    """One call, kept compact: a tuple (no per-record dict) with repeated strings shared."""

    id: str
    unique_id: str
    direction: int
    caller_num: str
    caller_name: str
    called_num: str
    called_name: str
    callgroup: str
    gateway: str
    status: int
    billsec: int
    duration: int
    start: str
    answer: str
    end: str

    @property
    def direction_word(self) -> str:
        return DIRECTIONS.get(self.direction, ("?", "unknown"))[1]

    @property
    def status_word(self) -> str:
        return STATUSES.get(self.status, f"status {self.status}")

    @property
    def key(self) -> str:
        return self.unique_id or self.id


def day_windows(begin: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """[begin, end] cut at midnights; the windows touch but calls are de-duplicated by key."""
    cursor = begin
    while cursor < end:
        midnight = datetime(cursor.year, cursor.month, cursor.day) + timedelta(days=1)
        upto = min(midnight, end)
        yield cursor, upto
        cursor = upto


def request_body(query: CdrQuery, begin: datetime, end: datetime, request_id: str) -> bytes:
    """Built as a tree so '&', '<' and accents in filters survive as themselves."""
    root = etree.Element("kpbx_request")
    etree.SubElement(root, "request_id").text = request_id
    cdr = etree.SubElement(root, "cdr")
    if query.privacy_md5:
        etree.SubElement(cdr, "privacy_password").text = query.privacy_md5
    etree.SubElement(cdr, "begin").text = begin.strftime(STAMP)
    etree.SubElement(cdr, "end").text = end.strftime(STAMP)
    etree.SubElement(cdr, "start_flag").text = "true" if query.start_flag else "false"
    chosen = {k: v for k, v in query.filters.items() if k in FILTER_FIELDS and v}
    if chosen:
        box = etree.SubElement(cdr, "filter")
        for name, value in chosen.items():
            etree.SubElement(box, name).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# Statuses, directions, codes and seconds: a "number" longer than this is no call's, and
# Python's int() refuses over 4,300 digits with a ValueError the hot path did not expect.
MAX_DIGITS = 18


def _int(text: str | None) -> int:
    text = (text or "").strip().strip('"')
    if len(text) > MAX_DIGITS:
        return 0
    try:
        return int(text)
    except ValueError:
        return 0


def _number(text: str | None) -> int:
    # isdigit() is also true of "²" and other digits int() refuses: ASCII only on the fast path
    if text and len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return _int(text)


def _clean(text: str | None) -> str:
    if not text:
        return ""
    if text[0] in ' "\n\t' or text[-1] in ' "\n\t':
        return text.strip().strip('"')  # the docs' examples quote some numbers
    return text


class CdrParser:
    """Feed bytes as they come; read calls as soon as each one closes.

    Only <call>, <error_code>, <error> and <request_id> raise events; every <call> is cleared
    and dropped from the tree once read. Names, callgroups, gateways and extension numbers
    repeat across calls: one string object each (`_shared`), not one per call.
    """

    def __init__(self, encoding: str | None = None, shared: dict[str, str] | None = None) -> None:
        self._pull = etree.XMLPullParser(
            events=("end",),
            tag=("call", "error_code", "error", "request_id"),
            resolve_entities=False,
            no_network=True,
            huge_tree=True,  # a day of calls is one long <calls>: depth stays small
            encoding=encoding,
        )
        self._shared = shared if shared is not None else {}
        self.error: tuple[int, str] | None = None  # <cdr><error_code> other than 0
        self.license: tuple[int, str] | None = None  # <request_not_allowed><error>
        self.other_error: tuple[str, str] | None = None  # any other <error>
        self.request_id: str | None = None
        self.root_tag: str | None = None
        self.calls_left = 0  # <call> elements still in the tree at the end (tests: ≤ 1)

    def feed(self, chunk: bytes) -> list[Call]:
        self._pull.feed(chunk)
        return self._drain()

    def close(self) -> list[Call]:
        root = self._pull.close()
        calls = self._drain()
        self.root_tag = root.tag if root is not None else None
        self.calls_left = 0 if root is None else sum(1 for _ in root.iter("call"))
        return calls

    def _drain(self) -> list[Call]:
        calls: list[Call] = []
        for _, node in self._pull.read_events():
            # Only "end" events are asked for, so each is an element; the stubs' union also
            # covers start-ns (a tuple) and end-ns (None).
            if not isinstance(node, etree._Element):
                continue
            tag = node.tag
            if tag == "call":
                calls.append(self._call(node))
                node.clear()
                parent = node.getparent()
                if parent is not None:
                    # Drop what came before, so the tree never holds more than one call.
                    while node.getprevious() is not None:
                        del parent[0]
            else:
                self._note(tag, node)
        if len(self._shared) > 50_000:
            self._shared.clear()  # many distinct names: sharing stops paying, start afresh
        return calls

    def _note(self, tag: str, node: etree._Element) -> None:
        if tag == "request_id":
            parent = node.getparent()
            if parent is not None and parent.tag == "kpbx_response":
                self.request_id = (node.text or "").strip()
            return
        code_text = node.findtext("code")
        message = (node.findtext("message") or "").strip()
        parent = node.getparent()
        if tag == "error_code":
            code = _int(code_text)
            if code:
                self.error = (code, message)
        elif parent is not None and parent.tag == "request_not_allowed":
            self.license = (_int(code_text), message)
        elif parent is None or parent.tag != "error_code":
            self.other_error = ((code_text or "?").strip(), message or "error")

    def _call(self, node: etree._Element) -> Call:
        # The hot path (100,000 calls): one pass over the children, no helper per field
        # unless a value needs it (quoted, missing, not a plain number).
        got = {child.tag: child.text for child in node}
        shared = self._shared.setdefault
        caller, called = _clean(got.get("caller_num")), _clean(got.get("called_num"))
        return Call(
            _clean(got.get("id")),
            _clean(got.get("unique_id")),
            _number(got.get("direction")),
            shared(caller, caller) if len(caller) <= 6 else caller,
            shared(got.get("caller_name") or "", got.get("caller_name") or ""),
            shared(called, called) if len(called) <= 6 else called,
            shared(got.get("called_name") or "", got.get("called_name") or ""),
            shared(got.get("called_callgroup") or "", got.get("called_callgroup") or ""),
            self._share(_clean(got.get("gateway_name")) or _clean(got.get("gateway_id"))),
            _number(got.get("status")),
            _number(got.get("billsec")),
            _number(got.get("duration")),
            got.get("start") or "",
            got.get("answer") or "",
            got.get("end") or "",
        )

    def _share(self, text: str) -> str:
        if len(text) > 40 or (len(text) > 6 and text[:1] in "+0123456789"):
            return text  # external numbers are nearly unique: sharing would only grow the table
        return self._shared.setdefault(text, text)
