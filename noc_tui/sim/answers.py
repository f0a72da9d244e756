"""Faults that rewrite what a backend's app answered: `hostile`, `duplicates`, `endless` and
`malformed=nan|types|badnext` (see `noc_tui.sim.faults` for the grammar).

JSON answers (Krill, LibreNMS, OpenWISP) are parsed, changed and written again in that
backend's own flavour (PHP's escapes for LibreNMS, DRF's compact UTF-8 for the others).
KalliopePBX's XML, the 100,000-call CDR included, is rewritten as it streams: the app sends
whole elements per chunk (a CDR chunk is an hour of calls), and only text up to the last `>`
is rewritten, the rest waiting for the next chunk, so memory stays that of one chunk.

Hostile keys: the console looks devices up by what it was shown (a LibreNMS hostname or ifName
in the path, a Krill host name in the path, a query or a JSON body, a CDR filter). Every path
segment, query value and JSON or XML body text of a request is passed through
`hostile.restore`, which maps a hostile value back to the original it wraps (a stateless match
against the catalogue), so the world only ever sees its own names.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import itertools
import json
import math
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noc_tui.sim import hostile
from noc_tui.sim.common import replace_query, with_query


class BackendFaults(Protocol):
    """The faults that rewrite answers, as `noc_tui.sim.faults` (which calls this) holds them."""

    @property
    def hostile(self) -> str: ...  # "", "on" or "raw"

    @property
    def duplicates(self) -> bool: ...

    @property
    def malformed(self) -> str: ...


KRILL_INTERNAL_BASE = "http://pre1:4280"  # as noc_tui.sim.krill builds its links
KRILL_CPES_PATH = "/api/v2/isp/cpes/"
NUMBER_TOKENS = ("NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400)  # the last: 10**400
BADNEXT_KINDS = ("nul", "spaces", "other-host", "file", "huge")


@dataclass(frozen=True)
class JsonTexts:
    """Which keys of a JSON backend hold free text, and which lists are its rows."""

    text: frozenset[str]  # keys whose strings (or lists of strings) are rewritten
    fill: frozenset[str]  # of those, empty strings get hostile text too (nobody wrote any yet)
    lists: tuple[str, ...]  # top-level keys holding an answer's rows
    ids: tuple[str, ...] = ("id", "port_id", "device_id", "exten")  # a row's identity


JSON_TEXTS: dict[str, JsonTexts] = {
    # librenms.md §4-§7: device, port, alert and rule rows, and every message.
    "librenms": JsonTexts(
        text=frozenset(
            (
                "hostname",
                "sysName",
                "sysDescr",
                "sysContact",
                "display",
                "location",
                "hardware",
                "version",
                "features",
                "purpose",
                "notes",
                "note",
                "ifName",
                "ifDescr",
                "ifAlias",
                "name",
                "proc",
                "message",
            )
        ),
        fill=frozenset(("notes", "display", "sysContact", "purpose", "features", "version")),
        lists=("alerts", "devices", "ports", "rules"),
    ),
    # krill-kalliope.md §1-§2: CPE, customer, POTS, monitoring info/host, graphs, actions.
    "krill": JsonTexts(
        text=frozenset(
            (
                "cpename",
                "internal_id",
                "host_name",
                "name",
                "surname",
                "address",
                "city",
                "locality",
                "country",
                "notes",
                "comment",
                "realm",
                "wifi_ssid",
                "lineid",
                "output",
                "extra",
                "host",
                "tags",
                "vendor",
                "customer_name",
                "customer_address",
                "title",
                "detail",
            )
        ),
        fill=frozenset(("notes", "comment", "locality")),
        lists=("results",),
    ),
    # openwisp.md §3: devices, groups, organisations, templates, locations, commands.
    "openwisp": JsonTexts(
        text=frozenset(
            (
                "name",
                "notes",
                "model",
                "os",
                "system",
                "error_reason",
                "description",
                "address",
                "output",
                "site",
                "tags",
                "detail",
            )
        ),
        fill=frozenset(("notes", "description")),
        lists=("results",),
    ),
}
# LibreNMS device rows carry these free-text keys in the real API (librenms.md §5.2); the lab's
# rows lack them, so `hostile` adds them for something to write into.
LIBRENMS_DEVICE_EXTRA = ("display", "notes", "sysContact", "purpose", "features")

# KalliopePBX (api-docs kalliopepbx-rest-api-1.1.md): names, user agents, contacts, CDR names.
XML_TEXT_TAGS = frozenset(
    (
        "first_name",
        "last_name",
        "useragent",
        "contact",
        "name",
        "display_name",
        "intro",
        "caller_name",
        "called_name",
        "called_callgroup",
        "gateway_name",
        "message",
    )
)
# An empty CDR name of a number that is shown is where an outside caller's name goes.
XML_FILL = {"caller_name": "caller_num", "called_name": "called_num"}
XML_NUMERIC_TAGS = frozenset(
    (
        "rtt",
        "port",
        "timeout",
        "billsec",
        "duration",
        "urg_messages",
        "new_messages",
        "old_messages",
    )
)
XML_ENVELOPE_TAGS = frozenset(("request_id", "code"))
CSV_TEXT_COLUMNS = ("caller_name", "called_name", "called_callgroup", "gateway_name")

_ITEM = re.compile(r"<(registration|user|config|callgroup|conference|call)>.*?</\1>", re.S)
_LEAF = re.compile(r"<([A-Za-z_][\w.-]*)(?:/>|>([^<]*)</\1>)")
_LIST_END = re.compile(r"</(?:registrations|users|configs|callgroups|conferences|calls)>")
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)(.*)", re.S)
_SHOWN_NUMBER = re.compile(r"<(caller_num|called_num)>([^<]*)</\1>")
_FIRST_TEXT = re.compile(r"<[A-Za-z_][\w.-]*>([^<]*)</")
_TEXT_NODE = re.compile(r">([^<]+)<")
_PLACEHOLDER = re.compile(r'"@@lab-number-(\d+)@@"')


# -- requests: hostile keys back to the world's own ---------------------------------------------


def restore_scope(scope: Scope) -> Scope:
    """The request with hostile path segments and query values mapped back to originals."""
    raw = scope.get("raw_path") or quote(scope["path"]).encode()
    raw_path = raw.partition(b"?")[0]  # httpx's ASGITransport puts the query in raw_path too
    segments = raw_path.split(b"/")
    changed = False
    for index, segment in enumerate(segments):
        text = unquote(segment.decode("latin-1"))
        back = hostile.restore(text)
        if back != text:
            segments[index] = quote(back, safe="").encode()
            changed = True
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    restored = [(key, hostile.restore(value)) for key, value in pairs]
    scope = dict(scope)
    if restored != pairs:
        scope["query_string"] = urlencode(restored, quote_via=quote).encode()
    if changed:
        new_raw = b"/".join(segments)
        scope["raw_path"] = new_raw
        scope["path"] = "/".join(unquote(s.decode("latin-1")) for s in new_raw.split(b"/"))
    return scope


def restore_body(content_type: str, body: bytes) -> bytes:
    """A JSON or XML request body with hostile texts mapped back (CDR filters, dataset hosts)."""
    if not body:
        return body
    start = body.lstrip()[:1]
    if "json" in content_type or (not content_type and start in (b"{", b"[")):
        try:
            data = json.loads(body)
        except ValueError:
            return body
        return json.dumps(_restored(data)).encode()  # escapes keep any lone surrogate valid
    if "xml" in content_type or (not content_type and start == b"<"):
        text = body.decode("utf-8", "replace")

        def back(match: re.Match[str]) -> str:
            return ">" + _xml_escape(hostile.restore(html.unescape(match[1]))) + "<"

        return _TEXT_NODE.sub(back, text).encode("utf-8", "surrogatepass")
    return body


def _restored(node: Any) -> Any:
    if isinstance(node, str):
        return hostile.restore(node)
    if isinstance(node, list):
        return [_restored(item) for item in node]
    if isinstance(node, dict):
        return {key: _restored(value) for key, value in node.items()}
    return node


# -- capturing and replaying an app's answer --------------------------------------------------


@dataclass
class Captured:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app `body` first, then whatever the client does next."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def capture(app: ASGIApp, scope: Scope, receive: Receive) -> Captured:
    got = Captured(500, [], b"")
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            got.status, got.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, replay(b"", receive), keep)
    got.body = b"".join(chunks)
    return got


def with_body(headers: list[tuple[bytes, bytes]], length: int | None) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return kept + [(b"content-length", str(length).encode())] if length is not None else kept


# -- endless page chains -----------------------------------------------------------------------

Call = Callable[[Scope], Awaitable[Captured]]


def _with_query(scope: Scope, changes: dict[str, str | None]) -> Scope:
    query = scope.get("query_string", b"").decode("latin-1")
    return {**scope, "query_string": replace_query(query, changes).encode()}


def _json_of(got: Captured) -> Any:
    try:
        return json.loads(got.body)
    except ValueError:
        return None


def origin(scope: Scope) -> str:
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "localhost")
    return f"{scope.get('scheme', 'http')}://{host}"


async def endless(backend: str, scope: Scope, call: Call, loop: bool) -> Captured | None:
    """A page of real rows whose `next` always leads on (or back to this very URL)."""
    query = scope.get("query_string", b"").decode("latin-1")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if backend == "openwisp":
        raw = params.get("page", "1")
        if not raw.isdigit() or int(raw) < 1:
            return None
        page = int(raw)
        got = await call(scope)
        if got.status == 404 and _json_of(got) == {"detail": "Invalid page."}:
            first = await call(_with_query(scope, {"page": None}))
            data = _json_of(first) or {}
            count, shown = data.get("count") or 0, len(data.get("results") or []) or 1
            real = (page - 1) % max(1, math.ceil(count / shown)) + 1
            got = first if real == 1 else await call(_with_query(scope, {"page": str(real)}))
        base = origin(scope) + scope["path"]
        following = with_query(base, replace_query(query, {"page": str(page + 1)}))
        previous = None
        if page > 1:
            previous = with_query(base, replace_query(query, {"page": str(page - 1)}))
    elif backend == "krill" and scope["path"] == KRILL_CPES_PATH:
        limit = _int(params.get("limit"), 10, 1)
        offset = _int(params.get("offset"), 0, 0)
        got = await call(scope)
        data = _json_of(got) or {}
        count = data.get("count") if isinstance(data, dict) else 0
        if isinstance(count, int) and count > 0 and not data.get("results"):
            got = await call(_with_query(scope, {"offset": str(offset % count)}))
        base = KRILL_INTERNAL_BASE + scope["path"]
        changes = {"limit": str(limit), "offset": str(offset + limit)}
        following = with_query(base, replace_query(query, changes, safe=","))
        previous = None
    else:
        return None
    data = _json_of(got)
    if not isinstance(data, dict) or "results" not in data:
        return got
    data["next"] = with_query(base, query) if loop else following
    if "previous" in data and previous is not None:
        data["previous"] = previous
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    raw = _escape_surrogates(body).encode()
    return Captured(200, with_body(got.headers, len(raw)), raw)


def _int(raw: str | None, default: int, least: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return value if value >= least else default


# -- the shaper: rewriting one answer ----------------------------------------------------------


@dataclass
class Request:
    """What a rewrite needs to know of the request it answers."""

    origin: str  # scheme://host as the client reached the lab
    path: str
    query: str
    turn: int = 0  # how many answers this backend rewrote before (for badnext's variants)


class Shaper:
    """Rewrites one answer of one backend for its faults; `wrap(send)` does it on the way out."""

    def __init__(self, backend: str, faults: BackendFaults, request: Request) -> None:
        self.backend = backend
        self.faults = faults
        self.request = request

    def wrap(self, send: Send) -> Send:
        start: Message | None = None
        chunks: list[bytes] = []
        kind = ""
        stream: _TextStream | None = None

        async def wrapped(message: Message) -> None:
            nonlocal start, kind, stream
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = _header(headers, b"content-type")
                kind = _kind(content_type)
                sized = any(k.lower() == b"content-length" for k, _ in headers)
                if not kind:
                    await send(message)
                elif kind == "json" or sized:
                    start = message  # held until the whole body is rewritten
                else:
                    stream = self._stream(kind)
                    await send(message)
                return
            if message["type"] != "http.response.body" or not kind:
                await send(message)
                return
            body, more = message.get("body", b""), message.get("more_body", False)
            if stream is not None:
                out = stream.feed(body) + (b"" if more else stream.end())
                await send({"type": "http.response.body", "body": out, "more_body": more})
                return
            chunks.append(body)
            if more or start is None:
                return
            shaped = self.shape(kind, b"".join(chunks))
            headers = with_body(list(start.get("headers", [])), len(shaped))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": shaped, "more_body": False})

        return wrapped

    def shape(self, kind: str, body: bytes) -> bytes:
        if kind == "json":
            return self._json(body)
        stream = self._stream(kind)
        return stream.feed(body) + stream.end()

    def _stream(self, kind: str) -> _TextStream:
        if kind == "csv":
            return _CsvStream(self.faults)
        return _XmlStream(self.faults)

    # -- JSON ---------------------------------------------------------------------------

    def _json(self, body: bytes) -> bytes:
        try:
            data = json.loads(body)
        except ValueError:
            return body
        faults, texts = self.faults, JSON_TEXTS.get(self.backend)
        if texts is None:
            return body
        if faults.hostile:
            _hostile_json(data, texts, self.backend, "")
        if faults.duplicates and isinstance(data, dict):
            for key in texts.lists:
                if isinstance(data.get(key), list):
                    data[key] = duplicated(data[key])
        tokens: list[str] = []
        if faults.malformed == "types":
            _wrong_types(data, texts)
        elif faults.malformed == "nan":
            _numbers_to_tokens(data, itertools.count(), tokens)
        elif faults.malformed == "badnext" and isinstance(data, dict) and "next" in data:
            data["next"] = bad_next(data.get("next"), self.request)
        text = encode_json(self.backend, data, body, raw=faults.hostile == "raw")
        if tokens:
            text = _PLACEHOLDER.sub(lambda m: tokens[int(m[1])], text)
        return text.encode("utf-8", "surrogatepass")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in headers if k.lower() == name), "")


def _kind(content_type: str) -> str:
    for kind in ("json", "xml", "csv"):
        if kind in content_type:
            return kind
    return ""


def duplicated(rows: list[Any]) -> list[Any]:
    """One row twice in the middle and the first row again at the end: ids that repeat."""
    if not rows:
        return rows
    middle = len(rows) // 2
    return [*rows[: middle + 1], rows[middle], *rows[middle + 1 :], rows[0]]


def _hostile_json(node: Any, texts: JsonTexts, backend: str, row: str) -> None:
    if isinstance(node, list):
        for item in node:
            _hostile_json(item, texts, backend, row)
        return
    if not isinstance(node, dict):
        return
    row = next((str(node[key]) for key in texts.ids if key in node), row)
    if backend == "librenms" and {"device_id", "hostname", "sysName"} <= node.keys():
        for key in LIBRENMS_DEVICE_EXTRA:
            node.setdefault(key, "")
    for key, value in node.items():
        if key in texts.text and isinstance(value, str):
            node[key] = _hostile_value(value, key, row, key in texts.fill)
        elif key in texts.text and isinstance(value, list):
            node[key] = [
                _hostile_value(v, key, row, False) if isinstance(v, str) else v for v in value
            ]
        else:
            _hostile_json(value, texts, backend, row)


def _hostile_value(value: str, key: str, row: str, fill: bool, xml: bool = False) -> str:
    if value:
        kind = hostile.kind_for(value)
    elif fill:
        kind = hostile.kind_for_empty(key, row)
    else:
        return value
    return kind.xml(value) if xml else kind.text(value)


def _wrong_types(data: Any, texts: JsonTexts) -> None:
    """Rows keep their place, their fields get the wrong types: strings for numbers, objects
    for strings, lists for objects, and nulls, turn by turn."""
    rows: list[Any] = [data]
    if isinstance(data, dict):
        lists = [data[key] for key in texts.lists if isinstance(data.get(key), list)]
        if lists:
            rows = [row for found in lists for row in found]
    turn = itertools.count()
    for row in rows:
        if isinstance(row, dict):
            _wrong_row(row, turn)


def _wrong_row(row: dict[str, Any], turn: Iterator[int]) -> None:
    for key in list(row):
        value, step = row[key], next(turn) % 4
        if step == 0:
            row[key] = _wrong_type(value)
        elif step == 1:
            row[key] = None
        elif step == 2 and isinstance(value, dict):
            _wrong_row(value, turn)
        elif step == 2 and not isinstance(value, list):
            row[key] = [value]


def _wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return {"value": value}
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return {"items": value}
    return "null"


def _numbers_to_tokens(node: Any, turn: Iterator[int], tokens: list[str]) -> None:
    """Measurements become NaN, ±Infinity, 1e400 and 10**400 (ids, counts, 0/1 flags stay)."""
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in list(items):
        if isinstance(value, dict | list):
            _numbers_to_tokens(value, turn, tokens)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            name = str(key)
            if name == "id" or name.endswith("_id") or name == "count" or value in (0, 1):
                continue
            node[key] = f"@@lab-number-{len(tokens)}@@"
            tokens.append(NUMBER_TOKENS[next(turn) % len(NUMBER_TOKENS)])


def bad_next(current: Any, request: Request) -> str:
    """A `next` link no client should follow as is, a different one each answer."""
    link = current if isinstance(current, str) and current else ""
    if not link:
        link = with_query(
            request.origin + request.path, replace_query(request.query, {"page": "2"})
        )
    kind = BADNEXT_KINDS[request.turn % len(BADNEXT_KINDS)]
    if kind == "nul":
        half = len(link) // 2
        return link[:half] + "\x00" + link[half:]
    if kind == "spaces":
        return "  " + link.replace("?", " ? ", 1) + " and more  "
    if kind == "other-host":
        parts = urlsplit(link)
        return with_query(f"http://evil.example{parts.path}", parts.query)
    if kind == "file":
        return "file:///etc/passwd"
    return link + ("&" if "?" in link else "?") + "pad=" + "A" * 1_000_000


def encode_json(backend: str, data: Any, original: bytes, raw: bool = False) -> str:
    """JSON as that backend writes it; `raw` as a broken encoder: control characters and
    lone surrogates written as they are (invalid JSON, and invalid UTF-8 for the surrogates)."""
    if raw:
        text = json.dumps(_to_private(data), ensure_ascii=False)
        return text.translate(_FROM_PRIVATE)
    if backend == "librenms":
        pretty = original.lstrip()[:2] in (b"{\n", b"[\n")
        text = json.dumps(data, indent=4 if pretty else None, ensure_ascii=True)
        # PHP escapes '/' in every string but the route index; '/' only occurs in strings.
        return text.replace("/", "\\/") if b"\\/" in original else text
    return _escape_surrogates(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(text: str) -> str:
    """DRF's renderer writes UTF-8, which has no lone surrogates: as JSON escapes instead."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_PRIVATE_BASE = 0xF0000  # plane 15: stand-ins that json.dumps leaves alone
_RAW = re.compile("[\x00-\x1f\ud800-\udfff]")
_FROM_PRIVATE = {_PRIVATE_BASE + code: chr(code) for code in (*range(0x20), *range(0xD800, 0xE000))}


def _to_private(node: Any) -> Any:
    if isinstance(node, str):
        return _RAW.sub(lambda m: chr(_PRIVATE_BASE + ord(m[0])), node)
    if isinstance(node, list):
        return [_to_private(item) for item in node]
    if isinstance(node, dict):
        return {key: _to_private(value) for key, value in node.items()}
    return node


# -- XML and CSV, as they stream ----------------------------------------------------------------


class _TextStream:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def feed(self, chunk: bytes) -> bytes:
        text = self._pending + self._decoder.decode(chunk)
        cut = self._cut(text)
        self._pending = text[cut:]
        return self.shape(text[:cut]).encode("utf-8", "surrogatepass")

    def end(self) -> bytes:
        text, self._pending = self._pending + self._decoder.decode(b"", final=True), ""
        return (self.shape(text) + self.finish()).encode("utf-8", "surrogatepass")

    def _cut(self, text: str) -> int:
        raise NotImplementedError

    def shape(self, text: str) -> str:
        raise NotImplementedError

    def finish(self) -> str:
        return ""


@dataclass
class _Turns:
    nan: Iterator[int] = field(default_factory=itertools.count)
    types: Iterator[int] = field(default_factory=itertools.count)


class _XmlStream(_TextStream):
    """KalliopePBX's XML, element by element: texts, duplicate items, numbers, types.

    Only the elements a fault touches are rewritten; the others pass through as they are."""

    def __init__(self, faults: BackendFaults) -> None:
        super().__init__()
        self.faults = faults
        self.turns = _Turns()
        self.first: str | None = None  # the first item, to repeat before its list closes
        self.doubled = False
        tags: set[str] = set()
        if faults.hostile:
            tags |= XML_TEXT_TAGS
        if faults.malformed == "nan":
            tags |= XML_NUMERIC_TAGS
        self.leaves: re.Pattern[str] | None = _LEAF if faults.malformed == "types" else None
        if tags and self.leaves is None:
            self.leaves = re.compile(rf"<({'|'.join(sorted(tags))})(?:/>|>([^<]*)</\1>)")

    def _cut(self, text: str) -> int:
        return text.rfind(">") + 1

    def shape(self, text: str) -> str:
        out: list[str] = []
        items: list[str] = []
        position = 0
        for match in _ITEM.finditer(text):
            out.append(self._outside(text[position : match.start()]))
            item = self._item(match[0])
            if self.first is None:
                self.first = item
            items.append(item)
            out.append(item)
            position = match.end()
        if self.faults.duplicates and items and not self.doubled:
            self.doubled = True
            middle = len(items) // 2
            out.insert(2 * middle + 2, "\n" + items[middle])  # out alternates gaps and items
        out.append(self._outside(text[position:]))
        return "".join(out)

    def _outside(self, text: str) -> str:
        if self.leaves is not None:
            text = self.leaves.sub(lambda m: self._leaf(m, {}, ""), text)
        if self.faults.duplicates and self.first is not None and _LIST_END.search(text):
            first, self.first = self.first, None
            text = _LIST_END.sub(lambda m: first + "\n" + m[0], text, count=1)
        return text

    def _item(self, text: str) -> str:
        if self.leaves is None:
            return text
        context: dict[str, str] = {}
        if self.faults.hostile:
            context = {m[1]: html.unescape(m[2]) for m in _SHOWN_NUMBER.finditer(text)}
        first = _FIRST_TEXT.search(text)
        row = first[1] if first else ""
        return self.leaves.sub(lambda m: self._leaf(m, context, row), text)

    def _leaf(self, match: re.Match[str], context: dict[str, str], row: str) -> str:
        tag, escaped = match[1], match[2] or ""
        faults = self.faults
        if faults.hostile and tag in XML_TEXT_TAGS:
            escaped = self._hostile(tag, escaped, context, row)
        if faults.malformed == "nan" and tag in XML_NUMERIC_TAGS:
            number = _NUMBER.fullmatch(escaped)
            if number:
                token = NUMBER_TOKENS[next(self.turns.nan) % len(NUMBER_TOKENS)]
                escaped = token + number[2]
        if faults.malformed == "types" and tag not in XML_ENVELOPE_TAGS:
            return _wrong_leaf(tag, escaped, next(self.turns.types) % 4)
        if escaped == (match[2] or ""):
            return match[0]
        return f"<{tag}>{escaped}</{tag}>" if escaped else f"<{tag}/>"

    def _hostile(self, tag: str, escaped: str, context: dict[str, str], row: str) -> str:
        value = html.unescape(escaped)
        number = context.get(XML_FILL.get(tag, ""), "")
        fill = bool(number) and not number.endswith("XXX")  # masked numbers lose their names
        raw = self.faults.hostile == "raw" and tag in XML_FILL  # a CDR name, byte for byte
        return _xml_escape(_hostile_value(value, tag, row, fill, xml=not raw))


def _wrong_leaf(tag: str, escaped: str, step: int) -> str:
    """An element where text is due, a null, a word for a number, the element twice."""
    if step == 0:
        return f"<{tag}><value>{escaped}</value></{tag}>"
    if step == 1:
        return f"<{tag}/>"
    if step == 2 and _NUMBER.fullmatch(escaped):
        return f"<{tag}>twelve</{tag}>"
    if step == 2:
        return f"<{tag}>{escaped}</{tag}><{tag}>{escaped}</{tag}>"
    return f"<{tag}>{escaped}</{tag}>" if escaped else f"<{tag}/>"


def _xml_escape(text: str) -> str:
    # A literal CR would come back as LF from any parser: lxml writes it as a reference too.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class _CsvStream(_TextStream):
    """The CDR's CSV export: names rewritten, rows repeated; quoting kept valid."""

    def __init__(self, faults: BackendFaults) -> None:
        super().__init__()
        self.faults = faults
        self.columns: list[str] | None = None
        self.first: list[str] | None = None
        self.doubled = False

    def _cut(self, text: str) -> int:
        return text.rfind("\n") + 1

    def shape(self, text: str) -> str:
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return ""
        if self.columns is None:
            self.columns = rows[0]
            head, rows = [rows[0]], rows[1:]
        else:
            head = []
        shaped = [self._row(row) for row in rows]
        if self.faults.duplicates and shaped:
            self.first = self.first or shaped[0]
            if not self.doubled:
                self.doubled = True
                shaped.insert(len(shaped) // 2, shaped[len(shaped) // 2])
        return _csv(head + shaped)

    def finish(self) -> str:
        return _csv([self.first]) if self.faults.duplicates and self.first else ""

    def _row(self, row: list[str]) -> list[str]:
        if not self.faults.hostile or self.columns is None:
            return row
        values = dict(zip(self.columns, row, strict=False))
        shaped = list(row)
        for index, name in enumerate(self.columns[: len(row)]):
            if name in CSV_TEXT_COLUMNS:
                number = values.get(XML_FILL.get(name, ""), "")
                fill = bool(number) and not number.endswith("XXX")
                raw = self.faults.hostile == "raw"
                shaped[index] = _hostile_value(row[index], name, row[0], fill, xml=not raw)
        return shaped


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()
