"""Krill's data: a seeded CPE inventory shaped like `fixtures/krill/isp_cpes_by_sn.json`.

Static fields come from the seed alone; `updated`/`tech_updated` follow the lab clock (the
nightly 04:00 inventory sync), so they only ever move forward.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from noc_tui.clock import Clock
from noc_tui.sim.common import (
    WORLD_ANCHOR,
    iso_cet,
    last_daily,
    seeded_hex,
    seeded_text,
    seeded_uuid,
    weighted,
)
from noc_tui.sim.krill_monitoring import Monitoring

# (cpename prefix, city, postal code, latitude, longitude): towns of one fictional regional ISP.
SITES = (
    ("bgt", "Cehegín", "30430", 38.0925, -1.7989),
    ("mur", "Murcia", "30001", 37.9922, -1.1307),
    ("ctg", "Cartagena", "30201", 37.6257, -0.9966),
    ("lor", "Lorca", "30800", 37.6710, -1.7017),
    ("mol", "Molina de Segura", "30500", 38.0546, -1.2076),
    ("car", "Caravaca de la Cruz", "30400", 38.1064, -1.8631),
    ("cie", "Cieza", "30530", 38.2397, -1.4189),
)
STREETS = (
    "Calle Mayor",
    "Avenida de la Libertad",
    "Calle Real",
    "Plaza de España",
    "Calle del Carmen",
    "Camino de la Fuensanta",
    "Calle Jabonerías",
    "Gran Vía",
)
# (vendor id as in the serial, model): the serial's first 4 bytes are the vendor in ASCII.
GPON_MODELS = (
    ("HWTC", "HG8145V5", 5),
    ("HWTC", "EG8145V5", 3),
    ("HWTC", "HG8245H", 2),
    ("ZTEG", "F670L", 3),
    ("ALCL", "G-240W-F", 2),
)
DOCSIS_MODELS = ("TC7230", "CGA4233")
TECHS = (("gpon", 88), ("docsis", 7), ("wimax", 3), ("ghn", 2))
REALMS = (("cpe", 70), ("fibra", 20), ("empresas", 10))
SPEED_PROFILES = (4, 6, 8, 10, 12)
ACTIONS = (
    ("reboot", "reboot"),
    ("unprovision", "unprovision"),
    ("reprovision", "reprovision"),
    ("factory", "factory"),
    ("reconfig", "reconfig"),
    ("diagnostic", "cwmp_diagnostic"),
)
LINKS = (
    "customer",
    "profile",
    "model",
    "potses",
    "events",
    "cdrs",
    "logs",
    "livestatus",
    "links",
    "info",
    "cwmp_info",
)
NIGHTLY_SYNC_HOUR = 4
FIRST_NAMES = ("Ana", "José", "María", "Antonio", "Carmen", "Francisco", "Lucía", "Pedro")
SURNAMES = ("García", "Martínez", "López", "Sánchez", "Pérez", "Navarro", "Ruiz", "Moreno")


@dataclass
class KrillWorld:
    seed: int
    clock: Clock
    cpes: int = 500
    records: list[dict[str, Any]] = field(default_factory=list)
    _sync_offset: dict[int, int] = field(default_factory=dict)
    _by_id: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = random.Random(f"krill:{self.seed}")
        topologies = [seeded_uuid(rng) for _ in range(24)]
        created = sorted(WORLD_ANCHOR - rng.uniform(20, 5 * 365) * 86_400 for _ in range(self.cpes))
        names: set[str] = set()
        cpe_id = 100
        for stamp in created:
            cpe_id += rng.choice((1, 1, 1, 2, 3))
            record = _make_cpe(rng, cpe_id, stamp, names, topologies)
            self.records.append(record)
            self._by_id[cpe_id] = record
            self._sync_offset[cpe_id] = rng.randrange(0, 1800)

        self._index: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.monitor = Monitoring(self)

    def get(self, cpe_id: int) -> dict[str, Any] | None:
        return self._by_id.get(cpe_id)

    def by_name(self, name: str) -> dict[str, Any] | None:
        rows = self.matching("internal_id", name) or self.matching("cpename", name)
        return rows[0] if rows else None

    def matching(self, key: str, value: str) -> list[dict[str, Any]]:
        """Exact-match lookup through an index built on first use (100,000 CPEs stay fast)."""
        if key not in self._index:
            index: dict[str, list[dict[str, Any]]] = {}
            for row in self.records:
                raw = row.get(key) or ""
                index.setdefault(_index_key(key, str(raw)), []).append(row)
            self._index[key] = index
        return self._index[key].get(_index_key(key, value), [])

    def customer(self, record: dict[str, Any]) -> dict[str, Any]:
        rng = random.Random(f"krill-customer:{self.seed}:{record['customer']}")
        stamp = iso_cet(record["_created_ts"])
        return {
            "address": record["address"],
            "city": record["city"],
            "comment": "",
            "country": "Spain",
            "created": stamp,
            "external_id": record["external_id"],
            "id": record["customer"],
            "latitude": None,
            "longitude": None,
            "name": rng.choice(FIRST_NAMES),
            "postalcode": record["postalcode"],
            "realm": record["realm"],
            "surname": f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}",
            "updated": stamp,
        }

    def potses(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        if not record["voip_profile"]:
            return []
        rng = random.Random(f"krill-pots:{self.seed}:{record['id']}")
        lines = 2 if rng.random() < 0.2 else 1
        return [
            {
                "cli": f"968{rng.randrange(100_000, 1_000_000)}",
                "context": None,
                "contextname": None,
                "custom_digitmap": None,
                "dtmf": "auto",
                "id": 2000 + record["id"] * 2 + n,
                "label": None,
                "language": None,
                "lineid": f"{record['cpename']}-{n + 1}",
                "order": n + 1,
                "password": None,
                "pbx_extension": False,
                "username": None,
                "voicemail": False,
                "voicemail_password": None,
            }
            for n in range(lines)
        ]

    def render(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as the API shows it now: clock-driven fields filled in."""
        synced = last_daily(self.clock.now(), NIGHTLY_SYNC_HOUR, self._sync_offset[record["id"]])
        stamp = iso_cet(max(synced, record["_created_ts"]))
        shown = {key: value for key, value in record.items() if key != "_created_ts"}
        shown["updated"] = shown["tech_updated"] = stamp
        return shown


def _make_cpe(
    rng: random.Random, cpe_id: int, created: float, names: set[str], topologies: list[str]
) -> dict[str, Any]:
    prefix, city, postal, lat, lng = rng.choice(SITES)
    name = f"{prefix}{rng.randrange(10_000, 100_000)}"
    while name in names:
        name = f"{prefix}{rng.randrange(10_000, 100_000)}"
    names.add(name)
    tech = weighted(rng, TECHS)
    realm = weighted(rng, REALMS)
    business = realm == "empresas" or rng.random() < 0.05
    address_profile = weighted(rng, (("nat", 70), ("public", 20), ("fixed", 10)))
    pppoe = rng.random() < 0.55
    voip = rng.random() < 0.4
    bridge = rng.random() < 0.05
    has_tr069 = tech in ("gpon", "docsis") and rng.random() < 0.92
    customer = 1000 + cpe_id + rng.randrange(0, 40)
    sn, mac, model, mtamac = _hardware(rng, tech)
    links_base = "/api/v2/cpes" if rng.random() < 0.1 else "/api/v2/isp/cpes"  # both seen live
    record: dict[str, Any] = {
        "id": cpe_id,
        "access": rng.random() > 0.04,
        "active": rng.random() > 0.03,
        "address": f"{rng.choice(STREETS)} {rng.randrange(1, 120)}"
        + (f" {rng.randrange(1, 6)}{rng.choice('ABCD')}" if rng.random() < 0.6 else ""),
        "address_profile": address_profile,
        "avatar": model,
        "bridge": bridge,
        "city": city,
        "country": "Spain",
        "cpename": name,
        "created": iso_cet(created),
        "customer": customer,
        "disable_provision": False,
        "disable_reconfig": rng.random() < 0.02,
        "dsn": None,
        "enable_notifications": rng.random() < 0.1,
        "expiration_date": None,
        "external_id": f"CRM-{customer:06d}" if rng.random() < 0.9 else None,
        "external_voip": False,
        "fixed_address": f"203.0.113.{rng.randrange(2, 254)}"
        if address_profile == "fixed"
        else None,
        "has_tr069": has_tr069,
        "internal_id": name,
        "is_bitstream": rng.random() < 0.04,
        "is_router": not bridge,
        "lan_cidr": f"10.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.0/29"
        if business and address_profile == "fixed"
        else None,
        "latitude": f"{lat + rng.uniform(-0.02, 0.02):.7f}",
        "line_profile": "business" if business else "residential",
        "locality": "",
        "longitude": f"{lng + rng.uniform(-0.02, 0.02):.7f}",
        "mac": mac,
        "me_vlan": None,
        "model": model,
        "mtamac": mtamac if voip else None,
        "notes": rng.choice(("", "", "", "", "", "Cliente VIP", "Revisar atenuación")),
        "postalcode": postal,
        "pppoe_password": seeded_text(rng, 10, "abcdefghjkmnpqrstuvwxyz23456789") if pppoe else "",
        "pppoe_username": f"{name}@{realm}" if pppoe else "",
        "probe": False,
        "profile": rng.choice(SPEED_PROFILES),
        "realm": realm,
        "remote_id": None,
        "sn": sn,
        "tech": tech,
        "tech_updated": None,
        "topology": rng.choice(topologies),
        "tr069": has_tr069,
        "tv_profile": "iptv-basic" if rng.random() < 0.15 else None,
        "updated": None,
        "voip_profile": "pbx-main" if voip else None,
        "wanmac": mac if tech == "docsis" else None,
        "wifi_password": None,
        "wifi_profile": None,
        "wifi_ssid": None,
    }
    if not bridge and has_tr069:
        record["wifi_ssid"] = f"KRILL-{seeded_hex(rng, 4).upper()}"
        record["wifi_password"] = seeded_text(rng, 12, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        record["wifi_profile"] = "default"
    record["_links"] = {
        "actions": {key: f"{links_base}/{cpe_id}/{path}" for key, path in ACTIONS},
        "links": _links(links_base, cpe_id),
    }
    record["_services"] = _services(tech, has_tr069, pppoe, voip)
    record["_created_ts"] = created  # internal: dropped by render()
    return record


def _hardware(rng: random.Random, tech: str) -> tuple[str, str | None, str, str | None]:
    """(sn, mac, model, mtamac) for one CPE of that technology."""
    if tech == "gpon":
        vendor, model, _ = weighted(rng, [(entry, entry[2]) for entry in GPON_MODELS])
        return vendor.encode().hex() + seeded_hex(rng, 8), None, model, None
    mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
    if tech == "docsis":
        mtamac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
        serial = "CP" + seeded_text(rng, 9, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
        return serial, mac, rng.choice(DOCSIS_MODELS), mtamac
    model = "AirMax WiMAX 5" if tech == "wimax" else "DLAN 1200+"
    return seeded_text(rng, 12, "0123456789ABCDEF"), mac, model, None


def _links(base: str, cpe_id: int) -> dict[str, str]:
    # "cdrs" is the events list filtered by type, not a path of its own.
    tail = {"cdrs": "events?type=cdr"}
    return {key: f"{base}/{cpe_id}/{tail.get(key, key)}" for key in LINKS}


def _services(tech: str, tr069: bool, pppoe: bool, voip: bool) -> list[str]:
    services = ["provision"] + (["tr069"] if tr069 else []) + (["pppoe"] if pppoe else ["dhcp"])
    return services + (["txrx"] if tech == "gpon" else []) + (["voice1"] if voip else [])


def normalise_sn(text: str) -> str:
    """Accept 'HWTC614711a7' (vendor in ASCII) as well as '48575443614711a7' (all hex)."""
    text = text.strip()
    if len(text) == 12 and text[:4].isalpha():
        return text[:4].upper().encode().hex() + text[4:].lower()
    return text.lower()


def _index_key(key: str, value: str) -> str:
    if key == "sn":
        return normalise_sn(value)
    return value.strip().lower() if key == "mac" else value
