"""LibreNMS answers as typed models, parsed tolerantly.

Old LibreNMS (PHP < 8.1) sends every value as a string, current sends numbers, the 26.5
Eloquent era sends booleans and `location` as an object: every reader here accepts all three.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from noc_tui.api import strict_json

#: Alert states as LibreNMS numbers them, in the operator's words.
ALERT_STATES: dict[int, str] = {
    0: "ok",
    1: "alert",
    2: "acknowledged",
    3: "worse",
    4: "better",
    5: "changed",
}
#: Ask for all of these, or acknowledged alerts vanish (the server's default is state 1).
ALL_STATES: tuple[int, ...] = tuple(ALERT_STATES)
NOT_OK_STATES: tuple[int, ...] = (1, 2, 3, 4, 5)
#: Higher is worse; unknown severities sort with warning.
SEVERITY_RANK: dict[str, int] = {"critical": 3, "warning": 2, "ok": 1}


def as_int(value: Any, default: int = 0) -> int:
    """A number sent as int, float, bool or string ("12", "12.0"); default otherwise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except (ValueError, OverflowError):  # "1e400" and "inf" are floats, not ints
            return default
    return default


def as_float(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else default
    if isinstance(value, int):
        # strict_json refuses integers of over 64 digits; a model fed otherwise stays whole
        return float(value) if abs(value) < 10**308 else default
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return default
        return number if math.isfinite(number) else default  # "nan", "inf", "1e400"
    return default


def as_bool(value: Any) -> bool:
    """`1`, `"1"`, `true`, `"true"` are true; anything else (null included) is false."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value) if isinstance(value, (int, float, bool)) else False


def as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def server_time(text: str, zone: tzinfo) -> float | None:
    """Unix time of a LibreNMS timestamp, or None when unreadable.

    Classic rows send "Y-m-d H:i:s" in the *server's* local time with no zone, so `zone` (the
    backend's `timezone` setting) says where that wall clock hangs; the Eloquent era sends
    ISO-8601 with `Z` or an offset, which wins over `zone`.
    """
    text = text.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.timestamp()


def _info(value: Any) -> dict[str, Any]:
    """`alerts.info` is JSON text ("[]", "{\\"until_clear\\":true}"), sometimes already decoded."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        return dict(_decoded_info(value))
    return {}


@functools.lru_cache(maxsize=256)
def _decoded_info(text: str) -> tuple[tuple[str, Any], ...]:
    # A few distinct texts ("[]", the ack's) over thousands of alerts: decode each once.
    try:
        decoded = strict_json.loads(text)
    except strict_json.Malformed:
        return ()
    if not isinstance(decoded, dict):
        return ()
    return tuple((k, v) for k, v in decoded.items() if not isinstance(v, (dict, list)))


def _fault_entity(row: dict[str, Any]) -> tuple[str, str]:
    """The entity a per-entity fault is about, as (name, description): ("Ethernet12",
    "Cust: ACME-BCN-0042") for a port. Newest LibreNMS (PR #19891, `alert_faults`) sends one
    row per port or sensor, all with the same host, rule and time: this is what tells them
    apart. ("", "") for the classic one-row-per-device+rule alerts."""
    kind = as_text(row.get("entity_type"))
    key = as_text(row.get("entity_key"))
    if not kind and not key:
        return "", ""
    details = row.get("details")
    if isinstance(details, str) and details.strip():
        try:
            details = strict_json.loads(details)
        except strict_json.Malformed:
            details = None
    facts = details.get("rule") if isinstance(details, dict) else None
    first = facts[0] if isinstance(facts, list) and facts and isinstance(facts[0], dict) else {}
    if kind == "port":
        name = as_text(first.get("ifName")) or as_text(first.get("ifDescr"))
        return name or key, as_text(first.get("ifAlias"))
    if kind == "sensor":
        name = as_text(first.get("sensor_descr"))
        return name or key, as_text(first.get("sensor_class"))
    named = next((as_text(v) for k, v in first.items() if k.endswith(("_descr", "_name"))), "")
    return named or key or f"{kind} {as_text(row.get('entity_id'))}".strip(), ""


@dataclass(frozen=True)
class Alert:
    """One alert row: a rule firing on a device."""

    id: int
    device_id: int
    hostname: str
    rule_id: int
    state: int
    timestamp: str
    severity: str = ""
    rule_name: str = ""
    note: str = ""
    until_clear: bool | None = None
    procedure: str = ""
    rule_notes: str = ""
    # Per-entity faults (newest LibreNMS): what fired, "" for a classic alert.
    entity_type: str = ""
    entity: str = ""  # "Ethernet12"
    entity_about: str = ""  # its alias or class, "Cust: ACME-BCN-0042"

    @property
    def state_word(self) -> str:
        return ALERT_STATES.get(self.state, f"state {self.state}")

    @property
    def acknowledged(self) -> bool:
        return self.state == 2

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 2)

    @classmethod
    def parse(cls, row: dict[str, Any]) -> Alert:
        until = _info(row.get("info")).get("until_clear")
        entity, about = _fault_entity(row)
        return cls(
            id=as_int(row.get("id")),
            device_id=as_int(row.get("device_id")),
            hostname=as_text(row.get("hostname")),
            rule_id=as_int(row.get("rule_id")),
            state=as_int(row.get("state"), 1),
            timestamp=as_text(row.get("timestamp")),
            severity=as_text(row.get("severity")).lower(),
            rule_name=as_text(row.get("name")),
            note=as_text(row.get("note")),
            until_clear=as_bool(until) if until is not None else None,
            procedure=as_text(row.get("proc")),
            rule_notes=as_text(row.get("notes")),
            entity_type=as_text(row.get("entity_type")),
            entity=entity,
            entity_about=about,
        )


@dataclass(frozen=True)
class AlertRule:
    id: int
    name: str
    severity: str
    disabled: bool = False
    query: str = ""

    @classmethod
    def parse(cls, row: dict[str, Any]) -> AlertRule:
        return cls(
            id=as_int(row.get("id")),
            name=as_text(row.get("name")),
            severity=as_text(row.get("severity")).lower(),
            disabled=as_bool(row.get("disabled")),
            query=as_text(row.get("query")),
        )


def _location(value: Any) -> str:
    """A string in most eras, an object `{"location": ...}` in 26.5."""
    if isinstance(value, dict):
        return as_text(value.get("location"))
    return as_text(value)


@dataclass(frozen=True, slots=True)  # slots: a fleet of 50,000 is held in memory
class Device:
    id: int
    hostname: str
    sys_name: str = ""
    ip: str = ""
    up: bool = False
    down_reason: str = ""
    os: str = ""
    hardware: str = ""
    version: str = ""
    location: str = ""
    uptime_seconds: int = 0
    last_polled: str = ""
    disabled: bool = False
    ignored: bool = False
    device_type: str = ""
    # The name set in LibreNMS's UI (newer servers; null or absent when none): "" when unset.
    display: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def name(self) -> str:
        """What LibreNMS's own device list calls it: the display name if set, else hostname."""
        return self.display if self.display and self.display != self.hostname else self.hostname

    @property
    def status_word(self) -> str:
        if self.disabled:
            return "disabled"
        return "up" if self.up else "down"

    @classmethod
    def parse(cls, row: dict[str, Any]) -> Device:
        return cls(
            id=as_int(row.get("device_id")),
            hostname=as_text(row.get("hostname")),
            sys_name=as_text(row.get("sysName")),
            ip=as_text(row.get("ip")),
            up=as_bool(row.get("status")),
            down_reason=as_text(row.get("status_reason")),
            os=as_text(row.get("os")),
            hardware=as_text(row.get("hardware")),
            version=as_text(row.get("version")),
            location=_location(row.get("location")),
            uptime_seconds=as_int(row.get("uptime")),
            last_polled=as_text(row.get("last_polled")),
            disabled=as_bool(row.get("disabled")),
            ignored=as_bool(row.get("ignore")),
            device_type=as_text(row.get("type")),
            display=as_text(row.get("display")).strip(),
            extra={"serial": as_text(row.get("serial")), "sysDescr": as_text(row.get("sysDescr"))},
        )


#: The columns asked for in a device's ports table (`columns=`).
PORT_COLUMNS: tuple[str, ...] = (
    "port_id",
    "ifIndex",
    "ifName",
    "ifAlias",
    "ifOperStatus",
    "ifAdminStatus",
    "ifSpeed",
    "ifInOctets_rate",
    "ifOutOctets_rate",
    "ifInErrors_rate",
    "ifOutErrors_rate",
)


#: What the live graph asks of one port (`columns=` on port stats): small, and enough to plot.
PORT_STATS_COLUMNS: tuple[str, ...] = (
    "ifName",
    "ifAlias",
    "ifOperStatus",
    "ifAdminStatus",
    "ifSpeed",
    "ifInOctets_rate",
    "ifOutOctets_rate",
    "ifInErrors_rate",
    "ifOutErrors_rate",
    "poll_time",
    "poll_period",
)


@dataclass(frozen=True)
class Port:
    """One interface; rates are octets per second as LibreNMS computed them at its last poll."""

    id: int
    name: str
    alias: str = ""
    oper_status: str = ""
    admin_status: str = ""
    speed_bps: int = 0
    in_octets_rate: float = 0.0
    out_octets_rate: float = 0.0
    in_errors_rate: float = 0.0
    out_errors_rate: float = 0.0
    if_index: int = 0

    @property
    def in_bps(self) -> float:
        return self.in_octets_rate * 8

    @property
    def out_bps(self) -> float:
        return self.out_octets_rate * 8

    @classmethod
    def parse(cls, row: dict[str, Any]) -> Port:
        return cls(
            id=as_int(row.get("port_id")),
            name=as_text(row.get("ifName")) or as_text(row.get("ifDescr")),
            alias=as_text(row.get("ifAlias")),
            oper_status=as_text(row.get("ifOperStatus")),
            admin_status=as_text(row.get("ifAdminStatus")),
            speed_bps=as_int(row.get("ifSpeed")),
            in_octets_rate=as_float(row.get("ifInOctets_rate")),
            out_octets_rate=as_float(row.get("ifOutOctets_rate")),
            in_errors_rate=as_float(row.get("ifInErrors_rate")),
            out_errors_rate=as_float(row.get("ifOutErrors_rate")),
            if_index=as_int(row.get("ifIndex")),
        )


@dataclass(frozen=True)
class PortStats:
    """One port's counters at one LibreNMS poll: the graph adds a point per new `poll_time`."""

    port: Port
    poll_time: int = 0
    poll_period: int = 0
    in_errors: int = 0
    out_errors: int = 0

    @classmethod
    def parse(cls, row: dict[str, Any]) -> PortStats:
        return cls(
            port=Port.parse(row),
            poll_time=as_int(row.get("poll_time")),
            poll_period=as_int(row.get("poll_period")),
            in_errors=as_int(row.get("ifInErrors")),
            out_errors=as_int(row.get("ifOutErrors")),
        )


@dataclass(frozen=True)
class RateSample:
    """One LibreNMS poll of one port: when it polled and the rates it computed then."""

    poll_time: int
    in_bps: float
    out_bps: float


class PortSamples:
    """A port's rate history, bounded: one sample per LibreNMS poll, however often we ask.

    LibreNMS recomputes rates once per `poll_period` (300 s by default); asking more often
    only repeats the last value, so a sample is added only when `poll_time` moves on.
    """

    def __init__(self, limit: int = 720) -> None:
        self.samples: deque[RateSample] = deque(maxlen=limit)
        self.latest: PortStats | None = None

    def add(self, stats: PortStats) -> bool:
        """Keep `stats` as the latest; True when it is a new poll (a new point to draw)."""
        self.latest = stats
        if stats.poll_time <= 0:
            return False  # no poll time, no place on the time axis
        if self.samples and stats.poll_time <= self.samples[-1].poll_time:
            return False
        self.samples.append(RateSample(stats.poll_time, stats.port.in_bps, stats.port.out_bps))
        return True

    def __len__(self) -> int:
        return len(self.samples)
