"""Call records over the wire: windows newest first, streamed bytes, a parse off the event loop.

    stream_calls(client, query)            -> batches of Call, newest first, each call once
    export_csv(client, query, path)        -> the PBX's own CSV written to `path`, rows counted

The API has no pagination, so a range is asked for in windows of at most a day. The first
window is an hour (the newest), so the first rows come quickly; each next window is sized
from the call density seen so far, aiming at a few thousand calls each. Each answer's bytes
are fed to a pull parser as they arrive; the parsing runs in a worker thread, so the event
loop (the console's UI) only moves bytes.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import secrets
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TypeVar

from noc_tui.api.errors import TRANSIENT, BackendError, MalformedResponse, ServerError
from noc_tui.api.http import BackendSession
from noc_tui.api.kalliope_cdr import (
    CDR_ERRORS,
    CDR_PATH,
    Call,
    CdrParser,
    CdrQuery,
    LicenseBlocked,
    day_windows,
    request_body,
)
from noc_tui.config import BackendSettings
from noc_tui.lazy import LazyModule

if TYPE_CHECKING:
    import httpx
    from lxml import etree
else:
    httpx = LazyModule("httpx")
    etree = LazyModule("lxml.etree")


class KalliopeClient(Protocol):
    """What the stream needs of the PBX client (which calls it): no import back."""

    settings: BackendSettings
    session: BackendSession

    @property
    def name(self) -> str: ...

    def malformed(self, detail: str) -> MalformedResponse: ...

    def require_supported_api(self) -> None: ...


_T = TypeVar("_T")

FIRST_SPAN = timedelta(hours=1)
MIN_SPAN = timedelta(minutes=5)
MAX_SPAN = timedelta(days=1)  # the bound: day-sized or smaller windows
TARGET_CALLS = 10_000  # per window: fewer requests; a batch the table takes in one go
FEED_BYTES = 1 << 17  # hand the parser thread this much at a time, not every socket read
AHEAD = 4
XML_HEADERS = {"Content-Type": "application/xml; charset=UTF-8"}

# One thread parses every CDR answer: an lxml parser must stay on the thread that made it
# (feeding one from the default pool's changing threads crashes libxml2).
_PARSE_THREAD = ThreadPoolExecutor(1, thread_name_prefix="noc-tui-cdr-parse")


async def _in_parse_thread(function: Callable[..., _T], *args: Any) -> _T:
    return await _submit(function, *args)


def _submit(function: Callable[..., _T], *args: Any) -> asyncio.Future[_T]:
    return asyncio.get_running_loop().run_in_executor(_PARSE_THREAD, function, *args)


def _with_privacy(client: KalliopeClient, query: CdrQuery) -> CdrQuery:
    """The configured privacy password (md5) unless the query brings its own."""
    secret = client.settings.privacy_password_md5
    if query.privacy_md5 or secret is None:
        return query
    return CdrQuery(query.begin, query.end, query.filters, secret.reveal(), query.start_flag)


def next_span(span: timedelta, calls: int) -> timedelta:
    """Aim the next window at TARGET_CALLS from this one's density; grow at most 4x a step."""
    factor = min(4.0, TARGET_CALLS / max(calls, 1))
    return max(MIN_SPAN, min(MAX_SPAN, span * factor))


async def stream_calls(client: KalliopeClient, query: CdrQuery) -> AsyncGenerator[list[Call], None]:
    """The calls of `query`, one batch per window, newest window first and newest call first
    in each batch, each call once (by unique_id, else id)."""
    client.require_supported_api()
    query = _with_privacy(client, query)
    seen: set[str] = set()
    shared: dict[str, str] = {}
    if query.end < query.begin:
        # Sent as is, so the PBX's own error 11 reaches the operator.
        await _window(client, query, query.begin, query.end, shared)
        return
    span, upto = FIRST_SPAN, query.end
    begin = max(query.begin, upto - span)
    current = asyncio.ensure_future(_window(client, query, begin, upto, shared))
    ahead: asyncio.Future[list[Call]] | None = None
    try:
        while True:
            # The next window is asked for now, at this window's span: the PBX prepares it
            # while this one is read and parsed (a busy PBX takes ~50 ms to start an answer).
            ahead, later = None, max(query.begin, begin - span)
            if begin > query.begin:
                ahead = asyncio.ensure_future(_window(client, query, later, begin, shared))
            calls = await current
            calls.sort(key=attrgetter("start"), reverse=True)
            fresh = [call for call in calls if call.key not in seen]
            seen.update(call.key for call in fresh)
            yield fresh
            if ahead is None:
                return
            span = next_span(upto - begin, len(calls))
            current, upto, begin = ahead, begin, later
    finally:
        for task in (current, ahead):
            _drop(task)


def _drop(task: asyncio.Future[list[Call]] | None) -> None:
    """Cancel a window nobody will read; an error it already had is not worth a warning."""
    if task is None:
        return
    if task.done():
        if not task.cancelled():
            task.exception()
    else:
        task.cancel()


async def _window(
    client: KalliopeClient,
    query: CdrQuery,
    begin: datetime,
    end: datetime,
    shared: dict[str, str],
) -> list[Call]:
    """One window's calls; an encoding lie (cp1252 bytes declared UTF-8) is asked again, and
    bytes that are neither (a broken encoder) are asked once more and shown as `�`."""
    for encoding in (None, "cp1252"):
        try:
            return await _parse_window(client, query, begin, end, shared, encoding)
        except _WrongEncoding:
            continue
    return await _parse_window(client, query, begin, end, shared, REPAIRED)


class _WrongEncoding(Exception):
    pass


REPAIRED = "utf-8, bad bytes replaced"


async def _parse_window(
    client: KalliopeClient,
    query: CdrQuery,
    begin: datetime,
    end: datetime,
    shared: dict[str, str],
    encoding: str | None,
) -> list[Call]:
    request_id = secrets.token_hex(4)
    body = request_body(query, begin, end, request_id)
    repair = encoding == REPAIRED
    parser = await _in_parse_thread(CdrParser, "utf-8" if repair else encoding, shared)
    feeder = _Feeder(parser, repair)
    calls: list[Call] = []
    pending = bytearray()
    # Parsing runs while the next bytes are read: up to AHEAD chunks are handed to the parse
    # thread before we wait for the oldest, so neither the PBX nor the parser waits on the
    # other, and at most AHEAD * FEED_BYTES are held.
    ahead: deque[asyncio.Future[list[Call]]] = deque()
    try:
        async for chunk in _post(client, body, None):
            pending += chunk
            if len(pending) >= FEED_BYTES:
                ahead.append(_submit(feeder.feed, bytes(pending)))
                pending.clear()
                if len(ahead) >= AHEAD:
                    calls += await ahead.popleft()
        ahead.append(_submit(feeder.finish, bytes(pending)))
        while ahead:
            calls += await ahead.popleft()
    except etree.XMLSyntaxError as exc:
        if not repair and ("UTF-8" in exc.msg or "encoding" in exc.msg):
            raise _WrongEncoding from None
        raise client.malformed(f"the CDR XML does not parse ({exc.msg})") from None
    finally:
        for left in ahead:
            left.cancel()
    _check(client, parser, request_id)
    return calls


# C0 controls XML 1.0 forbids even as references. A PBX whose encoder writes an outside
# caller's name byte for byte sends them, and one such name would cost the whole window:
# each becomes its control picture (␛ for ESC), so the call is kept and the byte is shown.
# (No byte below 0x20 is ever part of a UTF-8 or cp1252 multi-byte character.)
_ILLEGAL_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _picture(found: re.Match[bytes]) -> bytes:
    return chr(0x2400 + found[0][0]).encode()


class _Feeder:
    """Hands one window's bytes to its parser, in the parse thread: controls shown as their
    pictures, and with `repair` every byte that is not UTF-8 as `�`."""

    def __init__(self, parser: CdrParser, repair: bool) -> None:
        self.parser = parser
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace") if repair else None

    def feed(self, data: bytes, final: bool = False) -> list[Call]:
        if self._decoder is not None:
            data = self._decoder.decode(data, final).encode()
        return self.parser.feed(_ILLEGAL_IN_XML.sub(_picture, data))

    def finish(self, tail: bytes) -> list[Call]:
        return self.feed(tail, final=True) + self.parser.close()


def _finish(parser: CdrParser, tail: bytes) -> list[Call]:
    return _Feeder(parser, repair=False).finish(tail)


def _check(client: KalliopeClient, parser: CdrParser, request_id: str) -> None:
    """The answer's own verdict: license block, CDR error code, other error, wrong echo."""
    if parser.license is not None:
        raise client.session.fail(LicenseBlocked(client.name, *parser.license))
    if parser.error is not None:
        code, message = parser.error
        raise ServerError(client.name, f"CDR code {code}: {CDR_ERRORS.get(code, message)}")
    if parser.other_error is not None:
        code_text, message = parser.other_error
        raise ServerError(client.name, f"code {code_text}: {message}")
    if parser.root_tag != "kpbx_response":
        raise client.malformed(f"expected <kpbx_response>, got <{parser.root_tag}>")
    if parser.request_id is not None and parser.request_id != request_id:
        raise client.malformed(f"request_id mismatch: sent {request_id}, got {parser.request_id}")


async def _post(client: KalliopeClient, body: bytes, accept: str | None) -> AsyncIterator[bytes]:
    """POST /rest/cdr and yield the answer's bytes as they arrive; our errors, never httpx's.

    A connection that fails before any byte came is tried once more (a CDR query only reads).
    """
    for attempt in (1, 2):
        started = False
        try:
            async for chunk in _post_once(client, body, accept):
                started = True
                yield chunk
            return
        except TRANSIENT:
            if started or attempt == 2:
                raise
            await asyncio.sleep(0.25)


async def _post_once(
    client: KalliopeClient, body: bytes, accept: str | None
) -> AsyncIterator[bytes]:
    headers = dict(XML_HEADERS)
    if accept:
        headers["Accept"] = accept
    async for chunk in client.session.stream("POST", CDR_PATH, content=body, headers=headers):
        yield chunk


async def export_csv(client: KalliopeClient, query: CdrQuery, path: Path) -> int:
    """The PBX's CSV of `query` (Accept: text/csv), day by day into `path`, one header.

    Written as it arrives, by a thread (never the event loop), to `<path>.part`, renamed to
    `path` once whole: a failed export leaves no file that looks complete. Each window but
    the last stops a second before the next begins (the PBX's bounds are inclusive), so a call
    on a midnight is written once. Returns the number of rows.
    """
    client.require_supported_api()
    query = _with_privacy(client, query)
    windows = list(day_windows(query.begin, query.end)) or [(query.begin, query.end)]
    part = path.with_name(path.name + ".part")
    handle = await asyncio.to_thread(part.open, "wb")
    rows, header_done = 0, False
    try:
        for index, (begin, end) in enumerate(windows):
            if index < len(windows) - 1:
                end -= timedelta(seconds=1)
            request_id = secrets.token_hex(4)
            body = request_body(query, begin, end, request_id)
            got = await _csv_window(client, body, handle, with_header=not header_done)
            rows += got.rows
            header_done = header_done or bool(got.header)
    except BaseException:
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(part.unlink, missing_ok=True)
        raise
    await asyncio.to_thread(handle.close)
    await asyncio.to_thread(part.replace, path)
    return rows


class _CsvWindow:
    def __init__(self) -> None:
        self.header = b""
        self.rows = 0


async def _csv_window(
    client: KalliopeClient, body: bytes, handle: BinaryIO, with_header: bool
) -> _CsvWindow:
    """Copy one window's CSV rows to `handle`, its header line only when asked to."""
    got, head, last = _CsvWindow(), bytearray(), b"\n"
    xml = False
    async for chunk in _post(client, body, "text/csv"):
        if xml or not got.header:
            head += chunk
            xml = xml or head.lstrip().startswith(b"<")
            if xml or (b"\n" not in head and len(head) < 65536):
                continue
            line, _, chunk = bytes(head).partition(b"\n")
            got.header = line + b"\n"
            if with_header:
                await asyncio.to_thread(handle.write, got.header)
        if chunk:
            got.rows += chunk.count(b"\n")
            last = chunk[-1:]
            await asyncio.to_thread(handle.write, chunk)
    if xml:
        await _csv_error(client, head, body)
    if not got.header and head.strip():
        got.header = bytes(head).rstrip(b"\r\n") + b"\n"  # a header alone, unterminated
        if with_header:
            await asyncio.to_thread(handle.write, got.header)
    elif last != b"\n":
        got.rows += 1  # a last row without its newline
        await asyncio.to_thread(handle.write, b"\n")
    return got


async def _csv_error(client: KalliopeClient, head: bytearray, body: bytes) -> None:
    """An XML answer where CSV was asked for: the PBX's error (license, code 11, ...)."""
    parser = await _in_parse_thread(CdrParser)
    try:
        await _in_parse_thread(_finish, parser, bytes(head))
    except etree.XMLSyntaxError:
        raise MalformedResponse(client.name, "expected CSV, got broken XML") from None
    request_id = etree.fromstring(body).findtext("request_id") or ""
    _check(client, parser, request_id)
    raise BackendError(client.name, "expected CSV, got XML without an error")
