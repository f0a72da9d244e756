"""An answer's body, read within its limits: its size as it streams in and after
decompression, its compression ratio, and the time left for the whole answer.

A backend that answers a gzip bomb, a body of gigabytes or one byte every few seconds costs
the console one failed request, never its memory or its concurrency slots: the body is
decompressed here (httpx would inflate a whole network chunk at once), a piece at a time, and
every read waits at most until the answer's deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
import zlib
from collections.abc import AsyncGenerator, Iterator
from typing import TYPE_CHECKING, cast

from noc_tui.api.errors import AnswerTooLarge, BackendTimeout, MalformedResponse

if TYPE_CHECKING:
    import httpx

ACCEPT_ENCODING = "gzip, deflate"  # what we can inflate piecewise; never br or zstd
PIECE = 1 << 20  # inflate at most this much at a time
# JSON and XML of real APIs compress 5 to 30 times; a bomb compresses a thousand times.
MAX_RATIO = 200
RATIO_FROM = 1 << 20  # a small body may compress well: judge the ratio above 1 MB
MB = 1 << 20
# Past BIG bytes an answer waits its turn: one big answer is read at a time per console, so
# ten backends sending a gigabyte at once cost one limit of memory, not ten. Small answers
# (nearly all) never wait; a big one that cannot get its turn before its deadline times out.
BIG = 8 * MB
_big_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _big_turn() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    turn = _big_turns.get(loop)
    if turn is None:
        turn = _big_turns[loop] = asyncio.Lock()
    return turn


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        yield from ()


class _Inflate:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), PIECE at a time."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The inflated bytes of `data`, a piece at a time: the caller judges each piece
        before the next is made, so a bomb never inflates a whole network read at once."""
        if self._first and not self._gzip and data:
            self._first = False
            try:
                first = self._zlib.decompress(data, PIECE)
            except zlib.error:  # "deflate" without the zlib wrapper
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            else:
                if first:
                    yield first
                data = self._zlib.unconsumed_tail
                if not data and len(first) < PIECE:
                    return
        self._first = False
        pending = data
        while not self._zlib.eof:
            piece = self._zlib.decompress(pending, PIECE)
            if piece:
                yield piece
            pending = self._zlib.unconsumed_tail
            if not pending and len(piece) < PIECE:
                break

    def flush(self) -> Iterator[bytes]:
        tail = self._zlib.flush()
        if tail:
            yield tail


class BodyReader:
    """Reads one answer's body: `limit` bytes at most once decoded, before `deadline`."""

    def __init__(
        self,
        backend: str,
        response: httpx.Response,
        limit: int,
        deadline: float,
        timeout: float,
    ) -> None:
        self.backend = backend
        self.response = response
        self.limit = limit
        self.deadline = deadline
        self.timeout = timeout
        self.started = 0.0  # the session's monotonic clock when the request went out
        self.received = 0  # bytes on the wire
        self.decoded = 0  # bytes once inflated
        # An answer made in memory (a test's transport) was read and decoded on creation.
        self._in_memory = response.is_stream_consumed
        encoding = "" if self._in_memory else response.headers.get("content-encoding", "")
        self._decoder = self._decoder_for(encoding)

    def _decoder_for(self, encoding: str) -> _Identity | _Inflate:
        words = [word.strip().lower() for word in encoding.split(",") if word.strip()]
        words = [word for word in words if word != "identity"]
        if not words:
            return _Identity()
        if words in (["gzip"], ["x-gzip"]):
            return _Inflate(gzip=True)
        if words == ["deflate"]:
            return _Inflate(gzip=False)
        raise MalformedResponse(
            self.backend, f"answer in an encoding we did not ask for ({encoding[:40]})"
        )

    def too_large(self) -> AnswerTooLarge:
        return AnswerTooLarge(self.backend, f"over {self.limit / MB:g} MB")

    def check_length(self) -> None:
        """A Content-Length over the limit fails before any byte is read."""
        declared = self.response.headers.get("content-length", "")
        identity = isinstance(self._decoder, _Identity)
        # ASCII digits only ('²' is a digit to isdigit, not to int), and a length of 19 digits
        # or more is over any limit without asking int() to read it.
        digits = identity and declared.isascii() and declared.isdigit()
        if digits and (len(declared) > 18 or int(declared) > self.limit):
            raise self.too_large()

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        """The decoded body, piece by piece; raises AnswerTooLarge, BackendTimeout or
        MalformedResponse (a broken gzip stream)."""
        if self._in_memory:
            self.received = len(self.response.content)
            for piece in self._decode(self.response.content, final=True):
                yield piece
            return
        turn: asyncio.Lock | None = None  # set once held, so a wait cut short releases nothing
        try:
            # httpx annotates aiter_raw as an AsyncIterator; it is an async generator (aclose).
            raw_pieces = cast(AsyncGenerator[bytes, None], self.response.aiter_raw())
            async with contextlib.aclosing(raw_pieces) as raw:
                while True:
                    try:
                        async with asyncio.timeout_at(self.deadline):
                            data = await anext(raw, None)
                            if turn is None and self.decoded > BIG:
                                waited = _big_turn()
                                await waited.acquire()
                                turn = waited
                    except TimeoutError:
                        raise self._late() from None
                    if data is None:
                        break
                    self.received += len(data)
                    for piece in self._decode(data, final=False):
                        yield piece
            for piece in self._decode(b"", final=True):
                yield piece
        finally:
            if turn is not None:
                turn.release()

    def _late(self) -> BackendTimeout:
        return BackendTimeout(self.backend, f"no complete answer within {self.timeout:g} s")

    def _decode(self, data: bytes, final: bool) -> Iterator[bytes]:
        try:
            yield from self._judged(self._decoder.feed(data))
            if final:
                yield from self._judged(self._decoder.flush())
        except zlib.error as error:
            raise MalformedResponse(
                self.backend, f"the compressed body is broken ({error})"
            ) from None

    def _judged(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            self.decoded += len(piece)
            if self.decoded > self.limit:
                raise self.too_large()
            if self.decoded > RATIO_FROM and self.decoded > MAX_RATIO * max(self.received, 1):
                ratio = self.decoded // max(self.received, 1)
                raise AnswerTooLarge(
                    self.backend,
                    f"compressed {ratio}:1, more than any real answer (a decompression bomb?)",
                )
            yield piece

    async def read(self) -> bytes:
        self.check_length()
        pieces = [piece async for piece in self.chunks()]
        return b"".join(pieces)

    async def read_some(self, most: int) -> bytes:
        """Up to `most` bytes and no more (an error page's words), never failing for size."""
        pieces: list[bytes] = []
        kept = 0
        try:
            async with contextlib.aclosing(self.chunks()) as chunks:
                async for piece in chunks:
                    pieces.append(piece[: most - kept])
                    kept += len(pieces[-1])
                    if kept >= most:
                        break
        except (AnswerTooLarge, MalformedResponse):
            pass
        return b"".join(pieces)
