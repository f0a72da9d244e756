"""httpx failures and HTTP statuses → our error kinds, each with a short human reason."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from noc_tui.api import strict_json
from noc_tui.api.errors import (
    AuthFailed,
    BackendError,
    BackendTimeout,
    MalformedResponse,
    NotFound,
    ServerError,
    TlsError,
    Unreachable,
)
from noc_tui.lazy import LazyModule
from noc_tui.secret import redact

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyModule("httpx")


def safe_url(url: str) -> str:
    """The URL without its query (tokens travel there) and without user info."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def translate_exception(
    backend: str, exc: httpx.HTTPError | httpx.InvalidURL | UnicodeError, timeout: float
) -> BackendError:
    # InvalidURL is not an HTTPError; UnicodeError is a host name IDNA cannot encode.
    text = redact(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout(backend, f"no answer within {timeout:g} s")
    if isinstance(exc, httpx.ConnectError) and _is_tls(exc):
        return TlsError(backend, _tls_reason(exc))
    if isinstance(exc, httpx.ConnectError):
        return Unreachable(backend, _connect_reason(exc, text))
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Unreachable(backend, "connection dropped before the answer was complete")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Unreachable(backend, f"bad URL ({text})")
    return Unreachable(backend, text)


def error_for_status(backend: str, response: httpx.Response, message: str) -> BackendError:
    """The error for a non-2xx answer; `message` is the server's own words, redacted."""
    status = response.status_code
    if status == 401:
        return AuthFailed(backend, message or "credentials rejected (HTTP 401)")
    if status == 403:
        return AuthFailed(backend, f"not allowed (HTTP 403){': ' + message if message else ''}")
    if status == 404:
        return NotFound(backend, message or f"{safe_url(str(response.url))} (HTTP 404)")
    if 300 <= status < 400:
        where = safe_url(response.headers.get("location", ""))
        return MalformedResponse(backend, f"unexpected redirect (HTTP {status}) to {where}")
    return ServerError(backend, f"HTTP {status}{': ' + message if message else ''}", status)


def generic_message(response: httpx.Response) -> str:
    """The server's own words from a JSON error body, if there are any."""
    if "json" not in response.headers.get("content-type", ""):
        return ""
    try:
        body = strict_json.loads(response.content)
    except strict_json.Malformed:
        return ""
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "non_field_errors"):
            value = body.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str) and value:
                return value
    return ""


def _is_tls(exc: Exception) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "SSL" in type(seen).__name__:
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen) or "SSL" in str(seen)[:40]:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _tls_reason(exc: Exception) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "certificate not trusted; set ca_file, or verify_tls = false for this backend"
    if "WRONG_VERSION_NUMBER" in text or "record layer" in text:
        return "the server does not speak TLS on this port (http:// instead of https://?)"
    return redact(text)[:160] or "handshake failed"


def _connect_reason(exc: Exception, text: str) -> str:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, OSError) and seen.strerror:
            text = seen.strerror
        seen = seen.__cause__ or seen.__context__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
        return "host name does not resolve"
    if "unreachable" in lowered:
        return "network unreachable"
    if "all connection attempts failed" in lowered:
        return "connection refused or host unreachable"
    return text[:160]
