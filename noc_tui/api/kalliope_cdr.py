"""KalliopePBX call records (POST /rest/cdr, API 1.1): request bodies, windows, streaming parse.

The API has no pagination, so a long range is asked for one day at a time and each answer is
parsed with a pull parser that clears every <call> once read: memory stays bounded by one call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

DIRECTIONS = {1: ("↓", "inbound"), 2: ("↑", "outbound"), 4: ("↔", "internal")}
STATUSES = {1: "failed", 2: "busy", 3: "congestion", 4: "no answer", 8: "answered"}
CDR_ERRORS = {
    3: "wrong privacy password",
    11: "end is before begin (invalid interval)",
    12: "internal error of the PBX",
}
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


@dataclass(frozen=True)
class CdrQuery:
    begin: datetime
    end: datetime
    filters: dict[str, str] = field(default_factory=dict)  # FILTER_FIELDS, '%' as wildcard
    privacy_md5: str = ""
    start_flag: bool = True


@dataclass(frozen=True)
class Call:
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


def _int(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return 0


def call_from(node: etree._Element) -> Call:
    def text(tag: str) -> str:
        return (node.findtext(tag) or "").strip().strip('"')

    return Call(
        id=text("id"),
        unique_id=text("unique_id"),
        direction=_int(node.findtext("direction")),
        caller_num=text("caller_num"),
        caller_name=text("caller_name"),
        called_num=text("called_num"),
        called_name=text("called_name"),
        callgroup=text("called_callgroup"),
        gateway=text("gateway_name") or text("gateway_id"),
        status=_int(node.findtext("status")),
        billsec=_int(node.findtext("billsec")),
        duration=_int(node.findtext("duration")),
        start=text("start"),
        answer=text("answer"),
        end=text("end"),
    )


class CdrParser:
    """Feed bytes as they come; read calls as soon as each one closes."""

    def __init__(self) -> None:
        self._pull = etree.XMLPullParser(events=("end",), resolve_entities=False, no_network=True)
        self.error: tuple[int, str] | None = None

    def feed(self, chunk: bytes) -> list[Call]:
        self._pull.feed(chunk)
        return self._drain()

    def close(self) -> list[Call]:
        self._pull.close()
        return self._drain()

    def _drain(self) -> list[Call]:
        calls = []
        for _, node in self._pull.read_events():
            if node.tag == "call":
                calls.append(call_from(node))
                node.clear()
                # Drop what came before, so the tree never holds more than one call.
                while node.getprevious() is not None:
                    del node.getparent()[0]
            elif node.tag == "error_code":
                code = _int(node.findtext("code"))
                if code:
                    self.error = (code, (node.findtext("message") or "").strip())
        return calls
