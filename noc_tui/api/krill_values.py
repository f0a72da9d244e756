"""Krill's loose values made strict: numbers as strings, placeholders, serials and MACs."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

# Unregistered ONTs carry these literals instead of values.
PLACEHOLDERS = {"__reghost__", "__regid__", "__regstate__", "__regtags__", "null", "None", ""}
OFFLINE_IPS = {"0.0.0.0", ""}


def number(raw: Any) -> float | None:
    """A float from a number or a numeric string; None for anything else (NaN included)."""
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def integer(raw: Any) -> int | None:
    value = number(raw)
    return int(value) if value is not None else None


def text(raw: Any) -> str | None:
    """A string, with Krill's placeholders and empty strings as missing."""
    if raw is None or isinstance(raw, (dict, list)):
        return None
    shown = str(raw).strip()
    return None if shown in PLACEHOLDERS else shown


def texts(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(t for t in (text(item) for item in raw) if t)


def as_dict(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def as_list(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def parse_time(raw: Any) -> float | None:
    shown = text(raw)
    if not shown:
        return None
    try:
        return datetime.fromisoformat(shown.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def normalise_serial(raw: str) -> str | None:
    """'HWTC614711a7' (vendor ASCII + 8 hex) or '48575443614711A7' → '48575443614711a7'."""
    shown = raw.strip().replace(" ", "")
    if len(shown) == 12 and shown[:4].isalnum() and _is_hex(shown[4:]):
        return shown[:4].upper().encode().hex() + shown[4:].lower()
    if len(shown) == 16 and _is_hex(shown):
        return shown.lower()
    return None


def vendor_serial(serial: str) -> str:
    """'48575443614711a7' → 'HWTC614711a7' when the first 4 bytes are a vendor code."""
    if len(serial) == 16 and _is_hex(serial):
        vendor = bytes.fromhex(serial[:8])
        if vendor.isalpha() and vendor.isascii():
            return vendor.decode().upper() + serial[8:].lower()
    return serial


def normalise_mac(raw: str) -> str | None:
    digits = "".join(ch for ch in raw.strip().lower() if ch not in ":-. ")
    if len(digits) != 12 or not _is_hex(digits):
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _is_hex(value: str) -> bool:
    return bool(value) and all(ch in "0123456789abcdefABCDEF" for ch in value)
