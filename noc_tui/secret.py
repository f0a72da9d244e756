"""A string that never prints itself, and the redaction that keeps secrets out of text.

Every secret the config resolves is registered here, so the log filter, error messages and
the audit log can blank it out wherever it turns up, even inside a URL or a header dump.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"

_known: set[str] = set()
_lock = threading.Lock()

# Header and query shapes that carry credentials whatever their value.
_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?i)(authorization\s*[:=]\s*['\"]?)(bearer|basic|token|jwt)?\s*[^\s'\",}]+"),
    re.compile(r"(?i)(x-auth-token\s*[:=]\s*['\"]?)[^\s'\",}]+"),
    re.compile(r"(?i)(\b(?:api_|access_)?token=)[^&\s'\"]+"),
    re.compile(r"(?i)(\bpassword=)[^&\s'\"]+"),
    re.compile(r"(?i)(\"(?:password|token|access|key|secret)\"\s*:\s*\")[^\"]*"),
)


class Secret:
    """Holds a secret value; `str()` and `repr()` show a mask, `.reveal()` the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def register(value: str) -> None:
    """Remember a secret value so `redact` blanks it out (short values are too common), in
    every form an answer can reflect it in: as is, URL-encoded (either hex case, `+` for
    spaces), JSON- or HTML-escaped, and in base64."""
    if value and len(value) >= 4:
        forms = _forms(value)
        with _lock:
            _known.update(forms)


def register_basic(username: str, password: str) -> None:
    """HTTP Basic credentials: the password, and `user:password` in base64 as sent."""
    register(password)
    register(base64.b64encode(f"{username}:{password}".encode()).decode())


def _forms(value: str) -> set[str]:
    encoded = {quote(value, safe=""), quote(value), quote_plus(value, safe="")}
    encoded |= {_lower_hex(form) for form in encoded}
    escaped = {json.dumps(value)[1:-1], json.dumps(value)[1:-1].replace("/", "\\/")}
    escaped.add(html.escape(value))
    raw = value.encode("utf-8", "surrogatepass")
    b64 = {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()}
    b64 |= {form.rstrip("=") for form in b64}
    return {value} | encoded | escaped | {form for form in b64 if len(form) >= 8}


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def redact(text: str) -> str:
    """Return `text` with every known secret and credential-shaped field masked."""
    if not text:
        return text
    with _lock:
        values = sorted(_known, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text
