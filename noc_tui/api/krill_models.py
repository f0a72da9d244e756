"""Krill's answers as typed models, parsed tolerantly (nulls, numbers as strings, placeholders).

Threshold semantics (legacy Krill `perfdata.py`, krill-kalliope.md §1.6):
- four values `[crit_low, warn_low, warn_high, crit_high]`: below crit_low is critical,
  crit_low..warn_low warning, warn_low..warn_high ok, warn_high..crit_high warning, above
  crit_high critical (dnrx `[-29, -27, -11, -8]`);
- two values `[warn, crit]`: rising when warn < crit (upatt `[26, 46]`: above 26 warning, above
  46 critical), falling otherwise;
- none: no verdict. A value outside the perfdata's `[min, max]` is implausible (an offline
  ONT's `-1` upatt), never a reading to trust or plot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from noc_tui.api.krill_values import (
    OFFLINE_IPS,
    as_dict,
    as_list,
    integer,
    number,
    parse_time,
    text,
    texts,
    vendor_serial,
)


class Verdict(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    IMPLAUSIBLE = "implausible"
    UNCHECKED = "unchecked"  # no thresholds
    NO_VALUE = "no value"


@dataclass(frozen=True)
class Thresholds:
    values: tuple[float, ...] = ()

    def verdict(self, value: float | None) -> Verdict:
        if value is None:
            return Verdict.NO_VALUE
        v = self.values
        if len(v) == 4:
            crit_low, warn_low, warn_high, crit_high = v
            if value < crit_low or value > crit_high:
                return Verdict.CRITICAL
            if value < warn_low or value > warn_high:
                return Verdict.WARNING
            return Verdict.OK
        if len(v) == 2:
            warn, crit = v
            if warn <= crit:  # rising: high values are bad
                if value > crit:
                    return Verdict.CRITICAL
                return Verdict.WARNING if value > warn else Verdict.OK
            if value < crit:
                return Verdict.CRITICAL
            return Verdict.WARNING if value < warn else Verdict.OK
        return Verdict.UNCHECKED

    @property
    def text(self) -> str:
        return " / ".join(f"{value:g}" for value in self.values) if self.values else "—"


@dataclass(frozen=True)
class Reading:
    """One optical metric (dnrx, uptx, uprx, dnatt, upatt, pondesv) against its thresholds."""

    metric: str
    value: float | None
    unit: str
    thresholds: Thresholds
    low: float | None = None
    high: float | None = None

    @property
    def plausible(self) -> bool:
        if self.value is None or self.low is None or self.high is None or self.low >= self.high:
            return self.value is not None
        return self.low <= self.value <= self.high

    @property
    def verdict(self) -> Verdict:
        if self.value is None:
            return Verdict.NO_VALUE
        if not self.plausible:
            return Verdict.IMPLAUSIBLE
        return self.thresholds.verdict(self.value)


def parse_reading(raw: Any) -> Reading | None:
    """Both perfdata shapes: `/info` {metric, thresholds[], uom} and `/search`
    {name, warning, critical} (the latter has only the high pair)."""
    item = as_dict(raw)
    metric = text(item.get("metric")) or text(item.get("name"))
    if not metric:
        return None
    if "thresholds" in item:
        values = tuple(n for n in (number(x) for x in as_list(item["thresholds"])) if n is not None)
        thresholds = Thresholds(values if len(values) in (2, 4) else ())
    else:
        warn, crit = number(item.get("warning")), number(item.get("critical"))
        thresholds = Thresholds((warn, crit) if warn is not None and crit is not None else ())
    unit = text(item.get("uom")) or ""
    return Reading(
        metric,
        number(item.get("value")),
        unit,
        thresholds,
        number(item.get("min")),
        number(item.get("max")),
    )


@dataclass(frozen=True)
class Customer:
    id: int | None
    name: str
    address: str
    external_id: str | None = None


@dataclass(frozen=True)
class PotsLine:
    number: str
    line_id: str | None


@dataclass(frozen=True)
class Cpe:
    """One CPE of the inventory (`isp/cpes`), joins included when asked for."""

    id: int
    name: str
    serial: str | None = None
    model: str | None = None
    tech: str | None = None
    realm: str | None = None
    customer_id: int | None = None
    external_id: str | None = None
    internal_id: str | None = None
    mac: str | None = None
    pppoe_username: str | None = None
    address: str | None = None
    line_profile: str | None = None
    speed_profile: str | None = None
    voip_profile: str | None = None
    customer: Customer | None = None
    pots: tuple[PotsLine, ...] = ()
    actions: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    links: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def host_name(self) -> str:
        """Monitoring names the host by internal_id (else cpename)."""
        return self.internal_id or self.name

    @property
    def vendor_serial(self) -> str | None:
        return vendor_serial(self.serial) if self.serial else None


def parse_customer(raw: Any) -> Customer | None:
    item = as_dict(raw)
    if not item:
        return None
    name = " ".join(t for t in (text(item.get("name")), text(item.get("surname"))) if t)
    parts = (text(item.get("address")), text(item.get("postalcode")), text(item.get("city")))
    return Customer(
        integer(item.get("id")),
        name or "—",
        ", ".join(p for p in parts if p),
        text(item.get("external_id")),
    )


def parse_cpe(raw: Any) -> Cpe | None:
    item = as_dict(raw)
    cpe_id = integer(item.get("id"))
    if cpe_id is None:
        return None
    customer_raw = item.get("customer")
    customer = parse_customer(customer_raw) if isinstance(customer_raw, dict) else None
    customer_id = customer.id if customer else integer(customer_raw)
    pots = tuple(
        PotsLine(text(p.get("cli")) or "—", text(p.get("lineid")))
        for p in (as_dict(x) for x in as_list(item.get("potses")))
        if p
    )
    links = as_dict(item.get("_links"))
    address = ", ".join(t for t in (text(item.get("address")), text(item.get("city"))) if t)
    return Cpe(
        id=cpe_id,
        name=text(item.get("cpename")) or text(item.get("internal_id")) or f"#{cpe_id}",
        serial=text(item.get("sn")),
        model=text(item.get("model")),
        tech=text(item.get("tech")),
        realm=text(item.get("realm")),
        customer_id=customer_id,
        external_id=text(item.get("external_id")),
        internal_id=text(item.get("internal_id")),
        mac=text(item.get("mac")),
        pppoe_username=text(item.get("pppoe_username")),
        address=address or None,
        line_profile=text(item.get("line_profile")),
        speed_profile=text(item.get("profile")),
        voip_profile=text(item.get("voip_profile")),
        customer=customer,
        pots=pots,
        actions={k: v for k, v in as_dict(links.get("actions")).items() if isinstance(v, str)},
        links={k: v for k, v in as_dict(links.get("links")).items() if isinstance(v, str)},
    )


@dataclass(frozen=True)
class Alarm:
    level: str
    name: str
    kind: str | None = None
    extra: str | None = None


@dataclass(frozen=True)
class ServicePort:
    id: int | None
    user_vlan: int | None
    service_vlan: int | None
    inbound: str | None
    outbound: str | None
    native_vlan: int | None


@dataclass(frozen=True)
class Registration:
    olt: str | None
    pon: str | None  # "F/S/P-ONU"
    states: tuple[str, ...]
    last_down: str | None


@dataclass(frozen=True)
class MonitoringInfo:
    """Live monitoring of one CPE (`monitoring/cpes/{id}/info`)."""

    state: str | None  # "up" / "down" as Krill says it
    uptime_seconds: int | None
    ips: tuple[str, ...]
    registration: Registration
    alarms: tuple[Alarm, ...]
    readings: tuple[Reading, ...]
    service_ports: tuple[ServicePort, ...]
    line_profile: str | None
    service_profile: str | None
    down_kbps: float | None
    up_kbps: float | None
    distance_m: int | None
    output: str | None

    @property
    def online(self) -> bool:
        return self.state == "up"

    def reading(self, metric: str) -> Reading | None:
        return next((r for r in self.readings if r.metric == metric), None)


def parse_info(raw: Any) -> MonitoringInfo:
    item = as_dict(raw)
    reg = as_dict(item.get("registration"))
    registration = Registration(
        text(reg.get("host")),
        text(reg.get("id")),
        texts(reg.get("states")),
        text(reg.get("last_down_time")),
    )
    txrx = as_dict(as_dict(item.get("services")).get("txrx"))
    readings = [r for r in (parse_reading(p) for p in as_list(txrx.get("perfdatas"))) if r]
    readings += _derived_readings(readings, text(txrx.get("output")))
    tech = as_dict(item.get("tech"))
    ports = tuple(
        ServicePort(
            integer(p.get("id")),
            integer(p.get("user_vlan")),
            integer(p.get("service_vlan")),
            text(p.get("inbound_traffic_table_name")),
            text(p.get("outbound_traffic_table_name")),
            integer(p.get("native_vlan")),
        )
        for p in (as_dict(x) for x in as_list(tech.get("service_ports")))
        if p
    )
    alarms = tuple(
        Alarm(
            text(a.get("level")) or "unknown",
            text(a.get("name")) or "—",
            text(a.get("type")),
            text(a.get("extra")),
        )
        for a in (as_dict(x) for x in as_list(item.get("alarms")))
        if a
    )
    distance = integer(item.get("distance"))
    return MonitoringInfo(
        state=text(item.get("state")),
        uptime_seconds=integer(item.get("uptime")),
        ips=tuple(ip for ip in texts(item.get("ips")) if ip not in OFFLINE_IPS),
        registration=registration,
        alarms=alarms,
        readings=tuple(readings),
        service_ports=ports,
        line_profile=text(tech.get("line_profile")),
        service_profile=text(tech.get("service_profile")),
        down_kbps=number(item.get("dnbw")),
        up_kbps=number(item.get("upbw")),
        distance_m=distance if distance is not None and distance >= 0 else None,
        output=text(item.get("output")),
    )


# dnatt and pondesv are often only in the output line; their defaults are Krill's own.
OUTPUT_DEFAULTS = {
    "dnatt": ("dB", (26.0, 46.0), 1.0, 60.0),
    "pondesv": ("", (2.0, 4.0), -10.0, 10.0),
}


def _derived_readings(readings: list[Reading], output: str | None) -> list[Reading]:
    have = {r.metric for r in readings}
    extra: list[Reading] = []
    for pair in (output or "").split():
        key, _, raw = pair.partition("=")
        if key in OUTPUT_DEFAULTS and key not in have:
            unit, thresholds, low, high = OUTPUT_DEFAULTS[key]
            extra.append(Reading(key, number(raw), unit, Thresholds(thresholds), low, high))
    return extra


@dataclass(frozen=True)
class HostInfo:
    """The deferred monitoring host (`monitoring/hosts/{internal_id}`)."""

    name: str
    state: str | None
    output: str | None
    allowed_actions: tuple[str, ...]
    customer_name: str | None
    customer_address: str | None
    potses: tuple[str, ...]
    profile_name: str | None


def parse_host(raw: Any) -> HostInfo:
    item = as_dict(raw)
    attrs = as_dict(item.get("attrs"))
    admin = as_dict(as_dict(attrs.get("vars")).get("administrative_info"))
    state = text(attrs.get("state_long"))
    if state is None:
        state = {0: "up", 1: "down"}.get(integer(attrs.get("state")) or -1)
    return HostInfo(
        name=text(item.get("name")) or text(attrs.get("host_name")) or "—",
        state=state,
        output=text(attrs.get("output")),
        allowed_actions=texts(admin.get("actions")),
        customer_name=text(admin.get("customer_name")),
        customer_address=text(admin.get("customer_address")),
        potses=texts(admin.get("potses")),
        profile_name=text(admin.get("profile_name")),
    )


@dataclass(frozen=True)
class GraphMetric:
    measurement: str
    metric: str
    service: str | None


@dataclass(frozen=True)
class Graph:
    title: str
    metrics: tuple[GraphMetric, ...]


def parse_graphs(raw: Any, service: str | None) -> tuple[Graph, ...]:
    graphs = []
    for g in (as_dict(x) for x in as_list(as_dict(raw).get("graphs"))):
        metrics = tuple(
            GraphMetric(text(d.get("measurement")) or "", text(d.get("metric")) or "", service)
            for d in (as_dict(x) for x in as_list(g.get("datasets")))
            if text(d.get("metric")) and text(d.get("measurement"))
        )
        if metrics:
            graphs.append(Graph(text(g.get("title")) or metrics[0].metric, metrics))
    return tuple(graphs)


@dataclass(frozen=True)
class Series:
    """Points of one metric over time: (unix seconds, value), None values dropped."""

    metric: str
    points: tuple[tuple[float, float], ...]


def parse_datasets(raw: Any) -> dict[str, Series]:
    """Keys are `measurement__host__service__metric`; keyed here by the metric."""
    out: dict[str, Series] = {}
    for key, rows in as_dict(raw).items():
        metric = str(key).split("__")[-1]
        points = []
        for row in (as_dict(x) for x in as_list(rows)):
            value, stamp = number(row.get("value")), parse_time(row.get("time"))
            if value is not None and stamp is not None:
                points.append((stamp, value))
        out[metric] = Series(metric, tuple(sorted(points)))
    return out
