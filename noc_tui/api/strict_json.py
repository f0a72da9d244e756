"""The one JSON decoder of the client layer: what Python's `json` lets through, refused.

`json.loads` takes `NaN`, `Infinity` and `-Infinity` (no JSON has them), turns `1e400` into
an infinite float, raises ValueError on an integer of over 4,300 digits only after the whole
body is read, and recurses once per level of nesting (RecursionError on a deep enough
answer). Each of these is a malformed answer here, raised as `Malformed` saying what was
wrong; the session adds the backend's name (http.py).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64  # real answers nest under 10 levels; a bracket bomb nests 100,000
MAX_NUMBER_CHARS = 64  # ids, counters and octets fit in 20 digits
# Of a body, only what decides nesting: brackets, and the quotes and backslashes that say
# whether a bracket is inside a string.
_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"\\')
_STRING = re.compile(rb'"[^"]*"')


class Malformed(ValueError):
    """The body is not JSON we accept; `what` says why, in the operator's words."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


def _constant(name: str) -> Any:
    raise Malformed(f"the JSON holds {name}, which is not a JSON number")


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise Malformed(f"the JSON holds a number of {len(text)} characters")
    value = float(text)
    if not math.isfinite(value):
        raise Malformed(f"the JSON holds a number out of range ({text[:20]})")
    return value


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise Malformed(f"the JSON holds an integer of {len(text)} digits")
    return int(text)


def nesting_over(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests deeper than `limit`.

    Never recurses and stays in C: strings are cut out, then the innermost bracket pairs are
    removed, a level a pass: pairs still left after `limit` passes nest deeper."""
    shape = data.translate(None, _STRUCTURE)
    if shape.count(b"[") + shape.count(b"{") <= limit:
        return False
    # Escapes go first (an escaped backslash, then an escaped quote); then every adjacent
    # pair of quotes (nothing structural lies between them); what strings are left hold
    # brackets, and go by the (now short) regular expression.
    shape = shape.replace(b"\\\\", b"").replace(b'\\"', b"").replace(b"\\", b"")
    shape = shape.replace(b'""', b"")
    brackets = _STRING.sub(b"", shape) if b'"' in shape else shape
    for _ in range(limit + 1):
        # A placeholder keeps `{[]}` from losing two levels in one pass.
        shorter = brackets.replace(b"[]", b".").replace(b"{}", b".").replace(b".", b"")
        if shorter == brackets:  # all gone, or brackets that do not pair: json.loads says
            return False
        brackets = shorter
    return True


def loads(data: bytes | str) -> Any:
    """Decode a JSON body strictly; raises `Malformed` for anything we do not accept."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if nesting_over(raw):
        raise Malformed(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(raw, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except Malformed:
        raise
    except RecursionError:
        raise Malformed(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError, OverflowError):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Malformed("the JSON body does not parse") from None
