"""The call records query line: `from=-2h caller=0612% dir=in status=answered Rossi`.

Words with `=` set a range end or one of the PBX's filter fields (`%` as its wildcard, at the
start and/or end); other words are looked for in every field (the PBX's "any", wrapped in `%`
unless they bring their own). Pure functions: no Textual, no HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DIRECTION_WORDS = {"in": "1", "inbound": "1", "out": "2", "outbound": "2"}
DIRECTION_WORDS |= {"int": "4", "internal": "4", "1": "1", "2": "2", "4": "4"}
STATUS_WORDS = {"answered": "8", "failed": "1", "busy": "2", "congestion": "3"}
STATUS_WORDS |= {"noanswer": "4", "no-answer": "4", "no_answer": "4"}
STATUS_WORDS |= {s: s for s in ("1", "2", "3", "4", "8")}
# What the operator types → the PBX's filter field (API 1.1 <filter> children).
FIELDS = {
    "caller": "caller_num",
    "called": "called_num",
    "caller_name": "caller_name",
    "called_name": "called_name",
    "callgroup": "called_callgroup",
    "group": "called_callgroup",
    "gateway": "gateway_name",
    "uid": "unique_id",
    "unique_id": "unique_id",
    "billsec": "billsec",
    "dir": "direction",
    "direction": "direction",
    "status": "status",
}
SHOWN = {v: k for k, v in reversed(list(FIELDS.items()))}  # field → the shortest word
RELATIVE = re.compile(r"^-(\d+)([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
HELP = "from=-2h to=now caller=0612% called=2% dir=in|out|int status=answered|busy|… text"


class QueryError(ValueError):
    """A word of the query line the console cannot use; the message says which and why."""


@dataclass(frozen=True)
class CdrSpec:
    """A parsed query line: an optional custom range, the filter fields, words for "any"."""

    begin: datetime | None = None
    end: datetime | None = None
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def custom_range(self) -> bool:
        return self.begin is not None or self.end is not None


def parse(text: str, now: datetime) -> CdrSpec:
    begin = end = None
    filters: dict[str, str] = {}
    loose: list[str] = []
    for word in text.split():
        name, eq, value = word.partition("=")
        name = name.lower()
        if not eq:
            loose.append(word)
        elif name in ("from", "begin"):
            begin = moment(value, now)
        elif name in ("to", "end", "until"):
            end = moment(value, now)
        elif name in FIELDS:
            filters[FIELDS[name]] = _value(FIELDS[name], value)
        else:
            raise QueryError(f"{word!r}: unknown field {name!r} (fields: {', '.join(FIELDS)})")
    if loose:
        words = " ".join(loose)
        # A bare word is looked for inside any field; with its own '%' it is the PBX's pattern.
        filters["any"] = words if "%" in words else f"%{words}%"
    return CdrSpec(begin, end, filters)


def _value(field_name: str, value: str) -> str:
    if field_name == "direction":
        found = DIRECTION_WORDS.get(value.lower())
        if found is None:
            raise QueryError(f"dir={value}: expected in, out or int")
        return found
    if field_name == "status":
        found = STATUS_WORDS.get(value.lower())
        if found is None:
            raise QueryError(f"status={value}: expected answered, noanswer, busy, failed, …")
        return found
    if not value:
        raise QueryError(f"{SHOWN.get(field_name, field_name)}= needs a value")
    return value


def moment(text: str, now: datetime) -> datetime:
    """`now`, `-30m`/`-2h`/`-3d`, `HH:MM` (today), `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]`."""
    text = text.strip()
    if text.lower() == "now":
        return now
    relative = RELATIVE.match(text)
    if relative:
        return now - timedelta(**{UNITS[relative[2]]: int(relative[1])})
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        hour, minute = (int(part) for part in text.split(":"))
        if hour > 23 or minute > 59:
            raise QueryError(f"{text}: not a time of day")
        return now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    try:
        return datetime.fromisoformat(text.replace("_", "T")).replace(tzinfo=None)
    except ValueError:
        expected = "expected now, -2h, 14:30, 2026-11-20 or 2026-11-20T14:30"
        raise QueryError(f"{text!r}: {expected}") from None


def describe(spec: CdrSpec) -> str:
    """The query line back, in the words the operator would type."""
    words = []
    if spec.begin is not None:
        words.append(f"from={spec.begin:%Y-%m-%dT%H:%M}")
    if spec.end is not None:
        words.append(f"to={spec.end:%Y-%m-%dT%H:%M}")
    for name, value in spec.filters.items():
        if name != "any":
            words.append(f"{SHOWN.get(name, name)}={_word(name, value)}")
    if spec.filters.get("any"):
        words.append(spec.filters["any"])
    return " ".join(words)


def _word(name: str, value: str) -> str:
    if name == "direction":
        return {"1": "in", "2": "out", "4": "int"}.get(value, value)
    if name == "status":
        return {"8": "answered", "1": "failed", "2": "busy", "3": "congestion"}.get(
            value, "noanswer" if value == "4" else value
        )
    return value
