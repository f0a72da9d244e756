"""OpenWISP's data: two organisations, their device groups and three dozen devices.

Rows carry exactly the 15 keys of a device-list row (openwisp.md §3); the list is kept
newest-created first, the order the API answers in.
"""

from __future__ import annotations

import bisect
import heapq
import random
from dataclasses import dataclass, field
from typing import Any

from noc_tui.clock import Clock
from noc_tui.sim.common import (
    WORLD_ANCHOR,
    iso_utc_micro,
    seeded_hex,
    seeded_uuid,
    spread,
    weighted,
)

# (name prefix, count, group, model, os, backend, system) per organisation slug.
FLEET: dict[str, tuple[tuple[str, int, str | None, str, str, str, str], ...]] = {
    "default": (
        (
            "rtr-core",
            4,
            "core-routers",
            "Turris Omnia",
            "OpenWrt 23.05.3",
            "netjsonconfig.OpenWrt",
            "Marvell Armada 385",
        ),
        (
            "ap-rome",
            6,
            "access-points",
            "Ubiquiti UniFi AC Lite",
            "OpenWrt 23.05.2",
            "netjsonconfig.OpenWrt",
            "Qualcomm Atheros QCA956X ver 1 rev 0",
        ),
        (
            "ap-milan",
            5,
            "access-points",
            "Ubiquiti NanoStation M5",
            "OpenWISP Firmware 1.x",
            "netjsonconfig.OpenWisp",
            "Atheros AR7241 rev 1",
        ),
        (
            "cpe",
            9,
            "cpe",
            "GL.iNet GL-MT300N-V2",
            "OpenWrt 21.02.7",
            "netjsonconfig.OpenWrt",
            "MediaTek MT7628AN ver:1 eco:2",
        ),
        (
            "lab",
            2,
            None,
            "TP-Link Archer C7 v5",
            "OpenWrt 22.03.5",
            "netjsonconfig.OpenWrt",
            "Qualcomm Atheros QCA956X ver 1 rev 0",
        ),
    ),
    "metro-isp": (
        (
            "metro-bb",
            4,
            "backbone",
            "Banana Pi R3",
            "OpenWrt 23.05.3",
            "netjsonconfig.OpenWrt",
            "MediaTek MT7986 rev 0",
        ),
        (
            "metro-edge",
            6,
            "edge",
            "Linksys WRT3200ACM",
            "OpenWrt 22.03.6",
            "netjsonconfig.OpenWrt",
            "Marvell Armada 385",
        ),
    ),
}
ORG_NAMES = {"default": "default", "metro-isp": "Metro ISP"}
STATUSES = (
    ("applied", 70),
    ("modified", 12),
    ("error", 12),
    ("deactivating", 3),
    ("deactivated", 3),
)
ERROR_REASONS = (
    "uci commit returned 1",
    "Configuration download failed: HTTP 502 from controller",
    "openwisp-config: checksum mismatch after apply, rolled back",
)
DEFAULT_DEVICES = sum(kind[1] for kinds in FLEET.values() for kind in kinds)  # 36
OUIS = ("24:5A:4C", "50:C7:BF", "94:83:C4", "E8:94:F6", "F4:92:BF", "60:38:E0")


@dataclass
class OpenWispWorld:
    seed: int
    clock: Clock
    organizations: dict[str, str] = field(default_factory=dict)  # slug -> uuid
    groups: dict[tuple[str, str], str] = field(default_factory=dict)  # (slug, name) -> uuid
    devices: list[dict[str, Any]] = field(default_factory=list)  # newest created first
    templates: list[dict[str, Any]] = field(default_factory=list)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)  # device id -> body
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # newest first
    due: dict[str, tuple[float, str]] = field(default_factory=dict)  # id -> (when, status)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> templates, context
    # Indexes, so a lab of 50,000 devices answers a filtered count without a pass over them
    # all: a device's rank is its place in `devices` (whose order never changes), and every
    # status change goes through `set_config_status`.
    _rank: dict[str, int] = field(default_factory=dict, repr=False)
    _ranked: list[dict[str, Any] | None] = field(default_factory=list, repr=False)
    _by_status: dict[str, list[int]] = field(default_factory=dict, repr=False)  # sorted ranks
    _due_heap: list[tuple[float, str]] = field(default_factory=list, repr=False)
    _running: set[str] = field(default_factory=set, repr=False)  # ids with a command running

    size: int = DEFAULT_DEVICES  # how many devices (the fleet's own mix, repeated)

    def __post_init__(self) -> None:
        rng = random.Random(f"openwisp:{self.seed}")
        for slug in FLEET:
            self.organizations[slug] = seeded_uuid(rng)
        host = 10
        for slug, kinds in FLEET.items():
            for kind in kinds:
                prefix, count, group, *_ = kind
                if group and (slug, group) not in self.groups:
                    self.groups[(slug, group)] = seeded_uuid(rng)
                # Devices of one kind were added over time, -01 first; kinds interleave.
                stamps = sorted(WORLD_ANCHOR - rng.uniform(1, 400) * 86_400 for _ in range(count))
                for number, stamp in enumerate(stamps, start=1):
                    host += 1
                    lab = prefix == "lab" and number == 2
                    self.devices.append(self._device(rng, slug, kind, number, stamp, host, lab))
        del self.devices[self.size :]
        self._add_devices(self.size - len(self.devices), host)
        self.devices.sort(key=lambda device: device["created"], reverse=True)
        self._ranked = list(self.devices)
        for rank, device in enumerate(self.devices):
            self._rank[device["id"]] = rank
            if device["config"]:
                self._by_status.setdefault(device["config"]["status"], []).append(rank)
        extend(self)

    def _add_devices(self, extra: int, host: int) -> None:
        """A big lab: more of each kind, numbered on, from a stream of their own (so the
        default fleet stays exactly as it was)."""
        if extra <= 0:
            return
        rng = random.Random(f"openwisp-big:{self.seed}")
        kinds = [(slug, kind) for slug, group in FLEET.items() for kind in group]
        picks = spread([kind[1] for _, kind in kinds], extra)
        for index, (slug, kind) in enumerate(kinds):
            wanted = picks.count(index)
            stamps = sorted(WORLD_ANCHOR - rng.uniform(1, 400) * 86_400 for _ in range(wanted))
            for number, stamp in enumerate(stamps, start=kind[1] + 1):
                host += 1
                self.devices.append(self._device(rng, slug, kind, number, stamp, host, False))

    def _device(
        self,
        rng: random.Random,
        slug: str,
        kind: tuple[str, int, str | None, str, str, str, str],
        number: int,
        stamp: float,
        host: int,
        without_config: bool,
    ) -> dict[str, Any]:
        prefix, _, group, model, os_name, backend, system = kind
        device: dict[str, Any] = {
            "id": seeded_uuid(rng),
            "name": f"{prefix}-{number:02d}",
            "organization": self.organizations[slug],
            "group": self.groups[(slug, group)] if group else None,
            "mac_address": _mac(rng),
            "key": seeded_hex(rng, 32),
            "last_ip": _public_ip(host),
            "management_ip": f"10.{8 + host // 62_500}.{host // 250 % 250}.{host % 250 + 2}",
            "model": model,
            "os": os_name,
            "system": system,
            "notes": "",
            "config": _config(rng, backend, without_config),
            "created": iso_utc_micro(stamp),
            "modified": iso_utc_micro(stamp + rng.uniform(0.001, 40 * 86_400)),
        }
        config = device["config"]
        if config and config["status"] == "deactivated":
            device["management_ip"] = None  # cleared on full deactivation
        return device

    def device(self, device_id: str) -> dict[str, Any] | None:
        rank = self._rank.get(device_id)
        return None if rank is None else self._ranked[rank]

    def with_status(self, status: str) -> list[dict[str, Any]]:
        """The devices whose config has `status`, in list order."""
        ranked = self._ranked
        return [ranked[rank] for rank in self._by_status.get(status, ())]  # type: ignore[misc]

    def set_config_status(self, device: dict[str, Any], status: str) -> None:
        config = device["config"]
        old, rank = config["status"], self._rank[device["id"]]
        if old != status:
            ranks = self._by_status[old]
            del ranks[bisect.bisect_left(ranks, rank)]
            bisect.insort(self._by_status.setdefault(status, []), rank)
        config["status"] = status

    def remove(self, device: dict[str, Any]) -> None:
        self.devices.remove(device)
        rank = self._rank.pop(device["id"])
        self._ranked[rank] = None
        if device["config"]:
            ranks = self._by_status[device["config"]["status"]]
            del ranks[bisect.bisect_left(ranks, rank)]
        self.due.pop(device["id"], None)

    def schedule(self, device_id: str, when: float, status: str) -> None:
        """`status` comes at `when` (the lab's clock); replaces what was due for the device."""
        self.due[device_id] = (when, status)
        heapq.heappush(self._due_heap, (when, device_id))


def _public_ip(host: int) -> str:
    """The small fleet's documentation range; a big one spills into CGNAT space."""
    if host < 255:
        return f"203.0.113.{host}"
    return f"100.{64 + host // 65_536 % 64}.{host // 256 % 256}.{host % 256}"


def _mac(rng: random.Random) -> str:
    """Upper case, as the model's validation stores it."""
    return rng.choice(OUIS) + "".join(f":{rng.randrange(256):02X}" for _ in range(3))


def _config(rng: random.Random, backend: str, without: bool) -> dict[str, str] | None:
    if without:
        return None
    status = weighted(rng, STATUSES)
    reason = rng.choice(ERROR_REASONS) if status == "error" else ""
    return {"status": status, "error_reason": reason, "backend": backend}


# --- the rest of the controller: templates, locations, commands, changing statuses ---------

TEMPLATES = (
    ("base-openwrt", None, "netjsonconfig.OpenWrt"),
    ("snmp", "default", "netjsonconfig.OpenWrt"),
    ("wifi-guest", "default", "netjsonconfig.OpenWrt"),
    ("metro-mgmt", "metro-isp", "netjsonconfig.OpenWrt"),
    ("openwisp1-base", None, "netjsonconfig.OpenWisp"),
)
SITES = (
    ("Rome HQ", "Via del Corso 1, Rome", 12.4823, 41.8986),
    ("Milan POP", "Via Torino 20, Milan", 9.1859, 45.4654),
    ("Metro DC", "Industriestrasse 4, Zurich", 8.5417, 47.3769),
)
APPLY_SECONDS = (20.0, 240.0)  # a modified config is fetched and applied within this
COMMAND_SECONDS = 0.5  # a command runs this long (the real worker took ≈0.45 s)
CUSTOM_OUTPUT = {"uptime": " 12:00:01 up 41 days,  3:02,  load average: 0.08, 0.03, 0.01"}


def extend(world: OpenWispWorld) -> None:
    """Add templates, locations, commands and a timetable of status changes to a world."""
    rng = random.Random(f"openwisp-extra:{world.seed}")
    for name, org, backend in TEMPLATES:
        world.templates.append(
            {
                "id": seeded_uuid(rng),
                "name": name,
                "organization": world.organizations[org] if org else None,
                "type": "generic",
                "backend": backend,
                "vpn": None,
                "tags": [],
                "default": False,
                "required": False,
                "notes": "",
                "default_values": {},
                "config": {},
                "created": iso_utc_micro(WORLD_ANCHOR - 500 * 86_400),
                "modified": iso_utc_micro(WORLD_ANCHOR - 400 * 86_400),
            }
        )
    now = world.clock.now()
    for index, device in enumerate(world.devices):
        config = device["config"]
        usable = [
            t
            for t in world.templates
            if t["organization"] in (None, device["organization"])
            and config
            and t["backend"] == config["backend"]
        ]
        chosen = [t["id"] for t in usable if rng.random() < 0.6]
        site = SITES[index % len(SITES)]
        world.extra[device["id"]] = {"templates": chosen, "context": {"site": site[0]}}
        if index % 7 != 3:  # some devices were never placed on a map
            world.locations[device["id"]] = {
                "location": {
                    "id": seeded_uuid(rng),
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [site[2], site[3]]},
                    "properties": {
                        "type": "outdoor",
                        "is_mobile": False,
                        "name": site[0],
                        "address": site[1],
                    },
                },
                "floorplan": None,
                "indoor": None,
            }
        if config and config["status"] == "modified":
            outcome = "error" if rng.random() < 0.25 else "applied"
            world.schedule(device["id"], now + rng.uniform(*APPLY_SECONDS), outcome)
        world.commands[device["id"]] = []


def advance(world: OpenWispWorld) -> None:
    """Apply every change whose time has come: configs applied or failed, commands ended."""
    now = world.clock.now()
    heap = world._due_heap
    while heap and heap[0][0] <= now:
        when, device_id = heapq.heappop(heap)
        due = world.due.get(device_id)
        device = world.device(device_id)
        if due is None or due[0] != when or device is None or not device["config"]:
            continue  # replaced, cancelled or gone since it was scheduled
        del world.due[device_id]
        status = due[1]
        world.set_config_status(device, status)
        device["config"]["error_reason"] = ERROR_REASONS[0] if status == "error" else ""
        if status == "deactivated":
            device["management_ip"] = None
        device["modified"] = iso_utc_micro(now)
    for device_id in list(world._running):
        running = False
        for row in world.commands.get(device_id, ()):
            if row["status"] == "in-progress" and row["_ends"] <= now:
                row["status"] = row["_outcome"]
                row["output"] = row["_output"]
                row["modified"] = iso_utc_micro(now)
            running = running or row["status"] == "in-progress"
        if not running:
            world._running.discard(device_id)


def set_status(world: OpenWispWorld, device: dict[str, Any], status: str, then: str | None) -> None:
    """Deactivation goes through 'deactivating'; activation through 'modified'."""
    now = world.clock.now()
    world.set_config_status(device, status)
    device["config"]["error_reason"] = ""
    device["modified"] = iso_utc_micro(now)
    if then:
        world.schedule(device["id"], now + 30.0, then)
    else:
        world.due.pop(device["id"], None)


def new_command(
    world: OpenWispWorld, device: dict[str, Any], kind: str, text: str
) -> dict[str, Any]:
    now = world.clock.now()
    rng = random.Random(f"{world.seed}:{device['id']}:{now}:{len(world.commands[device['id']])}")
    hangs = text.startswith("sleep")  # a command that never finishes
    fails = text == "false" or (device["config"] or {}).get("status") == "error"
    output = "" if kind == "Reboot" else CUSTOM_OUTPUT.get(text, f"ran: {text}")
    row = {
        "id": seeded_uuid(rng),
        "input": text,
        "device": device["id"],
        "connection": None,
        "created": iso_utc_micro(now),
        "modified": iso_utc_micro(now),
        "status": "in-progress",
        "type": kind,
        "output": "",
        "_ends": float("inf") if hangs else now + COMMAND_SECONDS,
        "_outcome": "failed" if fails else "success",
        "_output": "Command exited with status 1" if fails else output,
    }
    world.commands[device["id"]].insert(0, row)
    world._running.add(device["id"])
    return row


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}
