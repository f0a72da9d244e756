"""Transport faults that answer in place of the app: `bomb`, `huge`, `malformed=deep`, and
`trickle`, which slows down whatever answers (see `noc_tui.sim.faults` for the grammar).

Memory stays bounded whatever the size asked for:

- a bomb is one gzip member built from three compressed pieces: the envelope's start with the
  first MiB, one MiB of spaces compressed after a full flush (so the same bytes stand for
  every further MiB), and the last MiB with the envelope's end. Only its CRC-32 costs time
  (about 0.3 s per GiB, in a worker thread, then cached); the answer is those pieces streamed;
- a huge answer streams one 64 KiB block of rows over and over, paced by the client (uvicorn
  waits for the socket to drain), and stops when the client goes.

Through `httpx.ASGITransport` (no socket) the client side collects whole bodies in memory:
use these faults over real HTTP.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from dataclasses import dataclass
from functools import cache

from starlette.types import Message, Receive, Send

MIB = 1 << 20
BLOCK = 64 * 1024
DEPTH = 100_000
BOMB_GROUP = 64  # compressed MiB blocks per send (about 66 KB)


@dataclass(frozen=True)
class Envelope:
    """What a backend's big answer looks like: its type, its start, a row, its end."""

    content_type: str
    head: bytes
    row: bytes  # one row followed by its separator
    last: bytes  # the last row, without a separator
    tail: bytes
    deep_head: bytes
    deep_open: bytes
    deep_close: bytes
    deep_tail: bytes


_DRF_HEAD = b'{"count":1,"next":null,"previous":null,"results":['
_XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<kpbx_response>\n'
_CALL = b"<call><id>1</id><caller_num>200</caller_num><called_num>201</called_num></call>\n"
ENVELOPES = {
    "librenms": Envelope(
        "application/json",
        b'{\n    "status": "ok",\n    "devices": [\n',
        b'        {"device_id": 11, "hostname": "huge.noc.example.net", "status": 1},\n',
        b'        {"device_id": 11, "hostname": "huge.noc.example.net", "status": 1}\n',
        b'    ],\n    "count": 1\n}',
        b'{"status": "ok", "devices": ',
        b"[",
        b"]",
        b', "count": 1}',
    ),
    "krill": Envelope(
        "application/json",
        _DRF_HEAD,
        b'{"id":101,"cpename":"huge00001","sn":"4857544300000001"},\n',
        b'{"id":101,"cpename":"huge00001","sn":"4857544300000001"}',
        b"]}",
        b'{"count":1,"next":null,"previous":null,"results":',
        b"[",
        b"]",
        b"}",
    ),
    "openwisp": Envelope(
        "application/json",
        _DRF_HEAD,
        b'{"id":"00000000-0000-4000-8000-000000000001","name":"huge-01"},\n',
        b'{"id":"00000000-0000-4000-8000-000000000001","name":"huge-01"}',
        b"]}",
        b'{"count":1,"next":null,"previous":null,"results":',
        b"[",
        b"]",
        b"}",
    ),
    "kalliope": Envelope(
        "application/xml; charset=UTF-8",
        _XML_HEAD + b"<cdr>\n<calls>\n",
        _CALL,
        _CALL,
        b"</calls>\n</cdr>\n</kpbx_response>\n",
        _XML_HEAD,
        b"<calls>",
        b"</calls>",
        b"</kpbx_response>\n",
    ),
}


class Watch:
    """Notices the client going away, so a long answer stops instead of writing to nobody."""

    def __init__(self, receive: Receive) -> None:
        self.gone = asyncio.Event()
        self._receive = receive
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.gone.set()
                return

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def gone_now(self) -> bool:
        """Let the loop run (a write to a lost socket does not yield), then tell."""
        await asyncio.sleep(0)
        return self.gone.is_set()

    async def pause(self, seconds: float) -> bool:
        """Wait; True if the client went away meanwhile."""
        try:
            await asyncio.wait_for(self.gone.wait(), seconds)
        except TimeoutError:
            return False
        return True


def _start(status: int, headers: list[tuple[bytes, bytes]]) -> Message:
    return {"type": "http.response.start", "status": status, "headers": headers}


def _body(data: bytes, more: bool) -> Message:
    return {"type": "http.response.body", "body": data, "more_body": more}


# -- bomb ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bomb:
    head: bytes  # gzip header and the first compressed MiB
    block: bytes  # one MiB of spaces, compressed after a full flush
    blocks: int  # how many times `block` follows
    tail: bytes  # the last compressed MiB, the end of the stream and the gzip trailer

    @property
    def length(self) -> int:
        return len(self.head) + self.blocks * len(self.block) + len(self.tail)


@cache
def bomb_of(backend: str, megabytes: int) -> Bomb:
    """A gzip member that inflates to exactly `megabytes` MiB of valid JSON or XML."""
    envelope = ENVELOPES[backend]
    head, tail = envelope.head, envelope.tail
    if megabytes == 1:
        first, last, blocks = head + b" " * (MIB - len(head) - len(tail)) + tail, b"", 0
    else:
        first, last, blocks = (
            head + b" " * (MIB - len(head)),
            b" " * (MIB - len(tail)) + tail,
            megabytes - 2,
        )
    pad = b" " * MIB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_first = deflate.compress(first) + deflate.flush(zlib.Z_FULL_FLUSH)
    packed_block = deflate.compress(pad) + deflate.flush(zlib.Z_FULL_FLUSH)
    packed_last = deflate.compress(last) + deflate.flush(zlib.Z_FINISH)
    crc = zlib.crc32(first)
    for _ in range(blocks):
        crc = zlib.crc32(pad, crc)
    crc = zlib.crc32(last, crc)
    size = megabytes * MIB
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, no mtime: reproducible
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    # The first full-flushed block after `first` is `packed_block` itself: deflate has no
    # memory across a full flush, so the same MiB compresses to the same bytes anywhere.
    return Bomb(header + packed_first, packed_block, blocks, packed_last + trailer)


async def bomb(send: Send, receive: Receive, backend: str, megabytes: int) -> None:
    found = await asyncio.to_thread(bomb_of, backend, megabytes)
    envelope = ENVELOPES[backend]
    headers = [
        (b"content-type", envelope.content_type.encode()),
        (b"content-encoding", b"gzip"),
        (b"content-length", str(found.length).encode()),
    ]
    watch = Watch(receive)
    watch.start()
    try:
        await send(_start(200, headers))
        await send(_body(found.head, True))
        group = found.block * BOMB_GROUP
        left = found.blocks
        while left:
            count = min(left, BOMB_GROUP)
            await send(_body(group if count == BOMB_GROUP else found.block * count, True))
            left -= count
            if await watch.gone_now():
                return
        await send(_body(found.tail, False))
    finally:
        watch.stop()


# -- huge ----------------------------------------------------------------------------------------


@cache
def _huge_block(backend: str) -> bytes:
    row = ENVELOPES[backend].row
    rows = BLOCK // len(row)
    return row * rows + b" " * (BLOCK - rows * len(row))


async def huge(
    send: Send, receive: Receive, backend: str, megabytes: int, declared: bool = False
) -> None:
    """`megabytes` MiB of valid JSON or XML, chunked (or with its true Content-Length)."""
    envelope = ENVELOPES[backend]
    total = megabytes * MIB
    ends = len(envelope.head) + len(envelope.last) + len(envelope.tail)
    blocks, rest = divmod(max(0, total - ends), BLOCK)
    headers = [(b"content-type", envelope.content_type.encode())]
    if declared:
        headers.append((b"content-length", str(ends + blocks * BLOCK + rest).encode()))
    block = _huge_block(backend)
    watch = Watch(receive)
    watch.start()
    try:
        await send(_start(200, headers))
        await send(_body(envelope.head, True))
        for _ in range(blocks):
            await send(_body(block, True))
            if await watch.gone_now():
                return
        await send(_body(b" " * rest + envelope.last + envelope.tail, False))
    finally:
        watch.stop()


# -- deep ----------------------------------------------------------------------------------------


@cache
def deep_body(backend: str) -> bytes:
    e = ENVELOPES[backend]
    return e.deep_head + e.deep_open * DEPTH + e.deep_close * DEPTH + e.deep_tail


async def deep(send: Send, backend: str) -> None:
    body = deep_body(backend)
    headers = [
        (b"content-type", ENVELOPES[backend].content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send(_start(200, headers))
    await send(_body(body, False))


# -- trickle -------------------------------------------------------------------------------------


class Trickle:
    """Passes the answer's start at once, then its body one byte every `seconds`."""

    def __init__(self, send: Send, receive: Receive, seconds: float) -> None:
        self._send = send
        self._seconds = seconds
        self._watch = Watch(receive)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._send(message)
            self._watch.start()  # the app has read its request by now
            return
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        body, more = message.get("body", b""), message.get("more_body", False)
        if not body:
            if not self._watch.gone.is_set():
                await self._send(message)
            return
        for index in range(len(body)):
            if await self._watch.pause(self._seconds):
                return  # the client left: the rest of the app's answer goes nowhere
            last = index == len(body) - 1 and not more
            await self._send(_body(body[index : index + 1], not last))

    def stop(self) -> None:
        self._watch.stop()
