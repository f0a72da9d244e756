"""The one shared `httpx.AsyncClient`, and a session per backend on top of it.

A `BackendSession` owns what differs between backends: base URL, auth, timeout, a bound on
concurrent requests, an optional request rate, and its health. It turns every httpx failure
and every bad status into our error kinds, retries reads (never actions), refuses actions in
read-only mode, and keeps secrets out of everything it logs or raises.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from noc_tui import __version__
from noc_tui.api.auth import Auth, NoAuth
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

# Pulls the server's own words out of an error body; each API client brings its own.
MessageExtractor = Callable[["httpx.Response"], str]


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
    ) -> BackendSession:
        return BackendSession(self, settings, auth or NoAuth(), extract_message)

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
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.name = settings.name
        self.auth = auth
        self.extract_message = extract_message or generic_message
        self.health = BackendHealth(settings.name, settings.kind, settings.base_url)
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        rate = settings.extra.get("rate_limit_per_second")
        self._min_gap = 1.0 / float(rate) if rate else 0.0
        self._next_slot = 0.0

    @property
    def clock(self) -> Clock:
        return self.pool.clock

    def url(self, path_or_url: str) -> str:
        """Join a path to the base URL; an absolute URL is re-based (servers hand out
        `next` links on internal host names)."""
        if path_or_url.startswith(("http://", "https://")):
            parts = urlsplit(path_or_url)
            path_or_url = urlunsplit(("", "", parts.path, parts.query, ""))
        base = urlsplit(self.settings.base_url)
        if base.path and base.path != "/" and path_or_url.startswith(base.path + "/"):
            path_or_url = path_or_url[len(base.path) :]
        return self.settings.base_url + "/" + path_or_url.lstrip("/")

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
        is_login: bool = False,
        query: bool = False,
    ) -> httpx.Response:
        """Send one request and return a 2xx response, or raise a BackendError.

        Reads are retried on transient failures with backoff and jitter; anything that may
        change the backend is sent once and refused outright in read-only mode.
        """
        method = method.upper()
        # `query`: a POST that only reads (KalliopePBX's /rest/cdr search): allowed read-only.
        is_read = method in READ_METHODS or query
        if not is_read and not is_login and self.pool.read_only:
            raise ActionRefused(self.name, "read-only mode: changes are disabled")
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
            self.health.record_failure(self.clock.now(), error)
            raise

    async def _exchange(self, out: _Outgoing) -> httpx.Response:
        method, url = out.method, self.url(out.path)
        all_headers = dict(out.headers or {})
        if out.authenticated:
            all_headers.update(await self.auth.headers())
        async with self._slots:
            await self._pace()
            started = self.clock.monotonic()
            try:
                response = await self.pool.client.request(
                    method,
                    url,
                    params=out.params,
                    json=out.json,
                    data=out.data,
                    content=out.content,
                    headers=all_headers,
                    timeout=self.settings.timeout_seconds,
                )
            except httpx.HTTPError as exc:
                error = translate_exception(self.name, exc, self.settings.timeout_seconds)
                self.health.record_failure(self.clock.now(), error)
                log.info("%s %s %s failed: %s", self.name, method, safe_url(url), error.title)
                raise error from None
        elapsed_ms = (self.clock.monotonic() - started) * 1000
        log.debug(
            "%s %s %s -> %s in %.0f ms",
            self.name,
            method,
            safe_url(url),
            response.status_code,
            elapsed_ms,
        )
        if response.status_code < 500 and response.status_code != 401:
            self.health.record_success(self.clock.now(), elapsed_ms)
        return response

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
        status = response.status_code
        if 200 <= status < 300:
            return response
        error = error_for_status(self.name, response, redact(self._server_message(response)))
        if status >= 500 or status == 401 or isinstance(error, MalformedResponse):
            self.health.record_failure(self.clock.now(), error)
        raise error

    def _server_message(self, response: httpx.Response) -> str:
        try:
            return self.extract_message(response).strip()[:200]
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

    def fail(self, error: BackendError) -> BackendError:
        """Record a failure found after the request (a body we cannot use) and return it."""
        self.health.record_failure(self.clock.now(), error)
        return error

    def json(self, response: httpx.Response) -> Any:
        """Parse a JSON body, or raise MalformedResponse (HTML login pages, garbage)."""
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if "json" not in content_type:
            shown = content_type or "no content type"
            hint = " (a login page or proxy in the way?)" if "html" in shown else ""
            raise self.fail(MalformedResponse(self.name, f"expected JSON, got {shown}{hint}"))
        try:
            return response.json()
        except ValueError:
            raise self.fail(MalformedResponse(self.name, "the JSON body does not parse")) from None

    async def decoded_json(self, response: httpx.Response) -> Any:
        """`json`, off the event loop when the body is large (10,000 alerts, a week of history):
        the loop is also the console's, and a long parse there freezes the keys."""
        if len(response.content) > LARGE_BODY_BYTES:
            return await asyncio.to_thread(self.json, response)
        return self.json(response)

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.decoded_json(await self.request("GET", path, params=params))
