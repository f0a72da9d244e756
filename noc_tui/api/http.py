"""The one shared `httpx.AsyncClient`, and a session per backend on top of it.

A `BackendSession` owns what differs between backends: base URL, auth, timeout, a bound on
concurrent requests, an optional request rate, and its health. It turns every httpx failure
and every bad status into our error kinds, retries reads (never actions), refuses actions in
read-only mode, and keeps secrets out of everything it logs or raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import re
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from noc_tui import __version__
from noc_tui.api import strict_json
from noc_tui.api.auth import Auth, NoAuth
from noc_tui.api.body import ACCEPT_ENCODING, MB, BodyReader
from noc_tui.api.errors import (
    TRANSIENT,
    ActionRefused,
    BackendError,
    BackendTimeout,
    MalformedResponse,
    ServerError,
)
from noc_tui.api.health import BackendHealth
from noc_tui.api.tls import pinned_context
from noc_tui.api.translate import error_for_status, generic_message, safe_url, translate_exception
from noc_tui.audit import AuditLog
from noc_tui.clock import SYSTEM_CLOCK, Clock
from noc_tui.config import BackendSettings
from noc_tui.lazy import LazyModule
from noc_tui.secret import redact

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyModule("httpx")

log = logging.getLogger("noc_tui.http")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
USER_AGENT = f"noc-tui/{__version__}"
ERROR_BODY_BYTES = 64 * 1024  # of an error page, the server's words are in the first bytes
MAX_URL_CHARS = 8192
# A link from an answer that holds these is not a URL a real server hands out.
_BAD_URL_CHARACTER = re.compile(r"[\x00-\x20\x7f-\x9f\\]")
# Hop-by-hop and encoding headers of the wire form: the body we keep is already decoded.
_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})

# Pulls the server's own words out of an error body; each API client brings its own.
MessageExtractor = Callable[["httpx.Response"], str]


def segment(value: object) -> str:
    """One path segment, percent-encoded: a name from an answer (`xe-0/0/0`, `a?b`, a lone
    surrogate) can never add a path or a query, nor fail to encode; the server judges it."""
    return quote(str(value), safe="", errors="surrogatepass")


def origin(url: str) -> str:
    """`scheme://host[:port]`, the key of a backend's transport (user info left out)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


@functools.cache
def _default_tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms: do it once, and only when a backend uses https.
    return ssl.create_default_context()


def _tls_verify(settings: BackendSettings) -> ssl.SSLContext | bool:
    if not settings.url.startswith("https://"):
        return False  # plain http: no context is ever used, so do not build one
    if settings.tls_fingerprint:
        # The pin wins over verify_tls = false: it is checked in the handshake (api/tls.py).
        return pinned_context(settings.tls_fingerprint, settings.ca_file)
    if settings.ca_file:
        return ssl.create_default_context(cafile=settings.ca_file)
    if settings.verify_tls:
        return _default_tls_context()
    return False


LARGE_BODY_BYTES = 256 * 1024  # above this, JSON is decoded in a worker thread


@dataclass(frozen=True)
class _Outgoing:
    """One request as the caller asked for it; retries and re-logins send it again."""

    method: str
    path: str
    params: Mapping[str, Any] | None
    json: Any
    data: Mapping[str, Any] | None
    content: bytes | None
    headers: Mapping[str, str] | None
    authenticated: bool


def _no_backend_here() -> httpx.AsyncBaseTransport:
    """Catches a URL outside every backend's origin: never sent anywhere, never unverified."""

    class NoBackendHere(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            url = safe_url(str(request.url))
            raise httpx.UnsupportedProtocol(f"no configured backend at {url}")

    return NoBackendHere()


class HttpPool:
    """Holds the single shared AsyncClient; one mount per backend origin carries its TLS."""

    def __init__(
        self,
        backends: Sequence[BackendSettings],
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        clock: Clock = SYSTEM_CLOCK,
        read_only: bool = False,
        audit: AuditLog | None = None,
    ) -> None:
        self.clock = clock
        self.read_only = read_only
        self.audit = audit or AuditLog()
        # TLS settings are checked now (a bad CA file fails at start), the client is made later.
        self._tls = {origin(b.url): _tls_verify(b) for b in reversed(backends)}
        self._transports = dict(transports or {})
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """Made on the first request: the console paints before it imports the HTTP stack."""
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _make_client(self) -> httpx.AsyncClient:
        mounts: dict[str, httpx.AsyncBaseTransport] = {
            key: self._transports.get(key) or httpx.AsyncHTTPTransport(verify=verify, retries=0)
            for key, verify in self._tls.items()
        }
        return httpx.AsyncClient(
            mounts=mounts,
            transport=_no_backend_here(),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )

    def session(
        self,
        settings: BackendSettings,
        auth: Auth | None = None,
        extract_message: MessageExtractor | None = None,
        *,
        query_paths: Iterable[str] = (),
        login_paths: Iterable[str] = (),
    ) -> BackendSession:
        return BackendSession(
            self,
            settings,
            auth or NoAuth(),
            extract_message,
            query_paths=query_paths,
            login_paths=login_paths,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class BackendSession:
    """Everything one backend's requests share."""

    retries = 2
    backoff_base = 0.25

    def __init__(
        self,
        pool: HttpPool,
        settings: BackendSettings,
        auth: Auth,
        extract_message: MessageExtractor | None = None,
        *,
        query_paths: Iterable[str] = (),
        login_paths: Iterable[str] = (),
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.name = settings.name
        self.auth = auth
        self.extract_message = extract_message or generic_message
        self.health = BackendHealth(settings.name, settings.kind, settings.base_url)
        # The only POSTs a read-only console sends, by exact path: the ones that only read
        # (a CDR search, a graph's history) and the one that logs in. Declared by the client
        # for its API, never by whoever calls `request`.
        self.query_paths = frozenset(self._relative(self.url(p)) for p in query_paths)
        self.login_paths = frozenset(self._relative(self.url(p)) for p in login_paths)
        self.max_bytes = int(settings.max_response_mb * MB)
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        rate = settings.rate_limit_per_second
        self._min_gap = 1.0 / rate if rate else 0.0
        self._next_slot = 0.0

    @property
    def clock(self) -> Clock:
        return self.pool.clock

    def url(self, path_or_url: str) -> str:
        """Join a path to the base URL; an absolute URL is re-based (servers hand out
        `next` links on internal host names), so nothing is ever sent to another host.
        A link no real server would give (control characters, `..`, another scheme, a
        novel's length) is a malformed answer."""
        not_url = MalformedResponse(self.name, "a link in the answer is not a URL")
        if not isinstance(path_or_url, str):
            raise self.fail(not_url)
        if len(path_or_url) > MAX_URL_CHARS or _BAD_URL_CHARACTER.search(path_or_url):
            raise self.fail(not_url)
        try:
            path_or_url.encode("utf-8")  # a lone surrogate: no bytes to send
            parts = urlsplit(path_or_url)  # "http://[::1" is a ValueError
            parts.port  # noqa: B018 - a port that is not a number is a ValueError too
        except ValueError:
            raise self.fail(not_url) from None
        if parts.scheme and parts.scheme not in ("http", "https"):
            shown = parts.scheme[:20]
            raise self.fail(MalformedResponse(self.name, f"a link in the answer is {shown}:"))
        if parts.scheme:
            path_or_url = urlunsplit(("", "", parts.path, parts.query, ""))
        if any(segment in ("..", ".") for segment in urlsplit(path_or_url).path.split("/")):
            raise self.fail(MalformedResponse(self.name, "a link in the answer climbs out (..)"))
        base = urlsplit(self.settings.base_url)
        if base.path and base.path != "/" and path_or_url.startswith(base.path + "/"):
            path_or_url = path_or_url[len(base.path) :]
        return self.settings.base_url + "/" + path_or_url.lstrip("/")

    def _relative(self, url: str) -> str:
        """The path of `url` below the base URL: what read-only mode judges."""
        path = urlsplit(url).path
        base = urlsplit(self.settings.base_url).path.rstrip("/")
        return path[len(base) :] if base and path.startswith(base + "/") else path

    def may_send(self, method: str, url: str) -> bool:
        """Read-only mode lets out reads, and POSTs to the paths that only read or log in."""
        if not self.pool.read_only or method in READ_METHODS:
            return True
        path = self._relative(url)
        return method == "POST" and (path in self.query_paths or path in self.login_paths)

    def is_read(self, method: str, url: str) -> bool:
        return method in READ_METHODS or (
            method == "POST" and self._relative(url) in self.query_paths
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send one request and return a 2xx response, its body read whole, or raise a
        BackendError.

        Reads are retried on transient failures with backoff and jitter; anything that may
        change the backend is sent once, and refused outright in read-only mode.
        """
        method = method.upper()
        is_read = self.is_read(method, self.url(path))
        attempts = 1 + (self.retries if is_read else 0)
        outgoing = _Outgoing(method, path, params, json, data, content, headers, authenticated)
        for attempt in range(attempts):
            try:
                return await self._send_once(outgoing)
            except TRANSIENT + (ServerError,) as error:
                retryable = isinstance(error, TRANSIENT) or (
                    isinstance(error, ServerError) and error.status in RETRY_STATUSES
                )
                # A backend that did not answer in time is asked once more, not twice: three
                # full timeouts would hold a poll for half a minute.
                if isinstance(error, BackendTimeout) and attempt >= 1:
                    retryable = False
                if not (is_read and retryable) or attempt == attempts - 1:
                    raise
                delay = self.backoff_base * (2**attempt) * (0.5 + random.random())
                log.debug("%s: retrying %s %s in %.2fs", self.name, method, path, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def stream(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[bytes, None]:
        """One request whose 2xx body is yielded as it arrives (decoded, within the size
        limit and the deadline); a non-2xx answer raises its error. Never retried here."""
        outgoing = _Outgoing(method.upper(), path, None, None, None, content, headers, True)
        async with self._answer(outgoing) as (response, body):
            if not 200 <= response.status_code < 300:
                raise self._refused(response, await body.read_some(ERROR_BODY_BYTES))
            try:
                async with contextlib.aclosing(body.chunks()) as chunks:
                    async for chunk in chunks:
                        yield chunk
            except BackendError as error:
                raise self._failed(error) from None
            self.health.record_success(self.clock.now(), self._elapsed_ms(body))

    async def _send_once(self, outgoing: _Outgoing) -> httpx.Response:
        renewed = False
        while True:
            response = await self._exchange(outgoing)
            if response.status_code == 401 and outgoing.authenticated and not renewed:
                renewed = True
                if await self._renew_auth():
                    continue
            return self._accept(response)

    async def _renew_auth(self) -> bool:
        try:
            return await self.auth.renew()
        except BackendError as error:
            raise self._failed(error) from None

    async def _exchange(self, out: _Outgoing) -> httpx.Response:
        """One request and its whole body, as a response whose content is already read."""
        async with self._answer(out) as (response, body):
            try:
                if 200 <= response.status_code < 300:
                    content = await body.read()
                else:  # an error page: its first words are enough, and never a reason to wait
                    content = await body.read_some(ERROR_BODY_BYTES)
            except BackendError as error:
                raise self._failed(error) from None
        elapsed_ms = self._elapsed_ms(body)
        log.debug(
            "%s %s %s -> %s in %.0f ms",
            self.name,
            out.method,
            safe_url(str(response.request.url)),
            response.status_code,
            elapsed_ms,
        )
        if response.status_code < 500 and response.status_code != 401:
            self.health.record_success(self.clock.now(), elapsed_ms)
        return _read_whole(response, content)

    @contextlib.asynccontextmanager
    async def _answer(self, out: _Outgoing) -> AsyncIterator[tuple[httpx.Response, BodyReader]]:
        """The one way out to the backend: every request passes here, and only here is it
        refused in read-only mode (by its method and exact path). The answer's headers must
        come, and its body be read, within `timeout_seconds` of sending."""
        url = self.url(out.path)
        if not self.may_send(out.method, url):
            raise ActionRefused(self.name, "read-only mode: changes are disabled")
        all_headers = {"Accept-Encoding": ACCEPT_ENCODING, **(out.headers or {})}
        if out.authenticated:
            all_headers.update(await self.auth.headers())
        timeout = self.settings.timeout_seconds
        async with self._slots:
            await self._pace()
            started = self.clock.monotonic()
            deadline = asyncio.get_running_loop().time() + timeout
            try:
                request = self.pool.client.build_request(
                    out.method,
                    url,
                    params=out.params,
                    json=out.json,
                    data=out.data,
                    content=out.content,
                    headers=all_headers,
                    timeout=timeout,
                )
                async with asyncio.timeout_at(deadline):
                    response = await self.pool.client.send(request, stream=True)
            except TimeoutError:
                error: BackendError = BackendTimeout(self.name, f"no answer within {timeout:g} s")
                raise self._failed(error) from None
            except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
                error = translate_exception(self.name, exc, timeout)
                log.info("%s %s %s failed: %s", self.name, out.method, safe_url(url), error.title)
                raise self._failed(error) from None
            body = BodyReader(self.name, response, self.max_bytes, deadline, timeout)
            body.started = started
            try:
                yield response, body
            except httpx.HTTPError as exc:
                error = translate_exception(self.name, exc, timeout)
                log.info("%s %s %s failed: %s", self.name, out.method, safe_url(url), error.title)
                raise self._failed(error) from None
            finally:
                await response.aclose()

    def _elapsed_ms(self, body: BodyReader) -> float:
        return (self.clock.monotonic() - body.started) * 1000

    async def _pace(self) -> None:
        """Keep to the configured request rate (Krill documents no limit of its own)."""
        if not self._min_gap:
            return
        now = self.clock.monotonic()
        wait = self._next_slot - now
        self._next_slot = max(now, self._next_slot) + self._min_gap
        if wait > 0:
            await asyncio.sleep(wait)

    def _accept(self, response: httpx.Response) -> httpx.Response:
        if 200 <= response.status_code < 300:
            return response
        raise self._refused(response)

    def _refused(self, response: httpx.Response, content: bytes | None = None) -> BackendError:
        """The error a non-2xx answer stands for, with the server's own words, redacted."""
        if content is not None:
            response = _read_whole(response, content)
        status = response.status_code
        error = error_for_status(self.name, response, self._server_message(response))
        if status >= 500 or status == 401 or isinstance(error, MalformedResponse):
            self._failed(error)
        return error

    def _server_message(self, response: httpx.Response) -> str:
        try:
            # Redacted before it is cut: a secret across the cut would leave its first half.
            return redact(self.extract_message(response).strip())[:200]
        except Exception:  # noqa: BLE001 - a bad error body must not hide the error itself
            return ""

    async def action(
        self,
        action: str,
        target: str,
        method: str,
        path: str,
        **request: Any,
    ) -> httpx.Response:
        """Change something on the backend: refused in read-only mode, sent once, audited.

        `action` and `target` are the operator's words ("ack alert", "alert 42 on core-sw1");
        every attempt is written to the audit log with its outcome, refusals included.
        """
        audit = self.pool.audit
        if self.pool.read_only:
            error = ActionRefused(self.name, "read-only mode: changes are disabled")
            await audit.record(self.clock.now(), self.name, action, target, "refused", error.detail)
            raise error
        try:
            response = await self.request(method, path, **request)
        except BackendError as error:
            await audit.record(self.clock.now(), self.name, action, target, "failed", error.title)
            raise
        await audit.record(
            self.clock.now(), self.name, action, target, "ok", f"HTTP {response.status_code}"
        )
        return response

    async def audit_outcome(self, action: str, target: str, outcome: str, detail: str) -> None:
        """Amend the record when the answer, not the status, says it failed (LibreNMS's
        200 "No Alert by that ID")."""
        await self.pool.audit.record(self.clock.now(), self.name, action, target, outcome, detail)

    def _failed(self, error: BackendError) -> BackendError:
        """Record a failure of the exchange itself (once) and return it."""
        if not error.recorded:
            error.recorded = True
            self.health.record_failure(self.clock.now(), error)
        return error

    def fail(self, error: BackendError) -> BackendError:
        """Record a failure found once the answer was in and return it: an answer we cannot
        use (malformed, hostile) takes back the success its arrival counted, so a backend
        whose answers are all rejected is not "ok", whatever its status codes say."""
        if not error.recorded:
            error.recorded = True
            if isinstance(error, MalformedResponse):
                self.health.record_rejected(self.clock.now(), error)
            else:
                self.health.record_failure(self.clock.now(), error)
        return error

    def json(self, response: httpx.Response) -> Any:
        """Parse a JSON body strictly (strict_json), or raise MalformedResponse saying what
        was wrong (HTML login pages, garbage, NaN, a bracket bomb)."""
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if "json" not in content_type:
            shown = content_type or "no content type"
            hint = " (a login page or proxy in the way?)" if "html" in shown else ""
            raise self.fail(MalformedResponse(self.name, f"expected JSON, got {shown}{hint}"))
        try:
            return strict_json.loads(response.content)
        except strict_json.Malformed as error:
            raise self.fail(MalformedResponse(self.name, error.what)) from None

    async def decoded_json(self, response: httpx.Response) -> Any:
        """`json`, off the event loop when the body is large (10,000 alerts, a week of history):
        the loop is also the console's, and a long parse there freezes the keys."""
        if len(response.content) > LARGE_BODY_BYTES:
            return await asyncio.to_thread(self.json, response)
        return self.json(response)

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.decoded_json(await self.request("GET", path, params=params))


def _read_whole(response: httpx.Response, content: bytes) -> httpx.Response:
    """A response holding `content`, the decoded body we read ourselves (httpx would decode
    it again from the wire's Content-Encoding)."""
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=response.request,
        extensions=response.extensions,
    )
