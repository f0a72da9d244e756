"""OpenWISP's data: two organisations, their device groups and three dozen devices.

Rows carry exactly the 15 keys of a device-list row (openwisp.md §3); the list is kept
newest-created first, the order the API answers in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from noc_tui.clock import Clock
from noc_tui.sim.common import WORLD_ANCHOR, iso_utc_micro, seeded_hex, seeded_uuid, weighted

# (name prefix, count, group, model, os, backend, system) per organisation slug.
FLEET: dict[str, tuple[tuple[str, int, str | None, str, str, str, str], ...]] = {
    "default": (
        ("rtr-core", 4, "core-routers", "Turris Omnia", "OpenWrt 23.05.3",
         "netjsonconfig.OpenWrt", "Marvell Armada 385"),
        ("ap-rome", 6, "access-points", "Ubiquiti UniFi AC Lite", "OpenWrt 23.05.2",
         "netjsonconfig.OpenWrt", "Qualcomm Atheros QCA956X ver 1 rev 0"),
        ("ap-milan", 5, "access-points", "Ubiquiti NanoStation M5", "OpenWISP Firmware 1.x",
         "netjsonconfig.OpenWisp", "Atheros AR7241 rev 1"),
        ("cpe", 9, "cpe", "GL.iNet GL-MT300N-V2", "OpenWrt 21.02.7",
         "netjsonconfig.OpenWrt", "MediaTek MT7628AN ver:1 eco:2"),
        ("lab", 2, None, "TP-Link Archer C7 v5", "OpenWrt 22.03.5",
         "netjsonconfig.OpenWrt", "Qualcomm Atheros QCA956X ver 1 rev 0"),
    ),
    "metro-isp": (
        ("metro-bb", 4, "backbone", "Banana Pi R3", "OpenWrt 23.05.3",
         "netjsonconfig.OpenWrt", "MediaTek MT7986 rev 0"),
        ("metro-edge", 6, "edge", "Linksys WRT3200ACM", "OpenWrt 22.03.6",
         "netjsonconfig.OpenWrt", "Marvell Armada 385"),
    ),
}
ORG_NAMES = {"default": "default", "metro-isp": "Metro ISP"}
STATUSES = (("applied", 70), ("modified", 12), ("error", 12), ("deactivating", 3),
            ("deactivated", 3))
ERROR_REASONS = (
    "uci commit returned 1",
    "Configuration download failed: HTTP 502 from controller",
    "openwisp-config: checksum mismatch after apply, rolled back",
)
OUIS = ("24:5A:4C", "50:C7:BF", "94:83:C4", "E8:94:F6", "F4:92:BF", "60:38:E0")


@dataclass
class OpenWispWorld:
    seed: int
    clock: Clock
    organizations: dict[str, str] = field(default_factory=dict)  # slug -> uuid
    groups: dict[tuple[str, str], str] = field(default_factory=dict)  # (slug, name) -> uuid
    devices: list[dict[str, Any]] = field(default_factory=list)  # newest created first

    def __post_init__(self) -> None:
        rng = random.Random(f"openwisp:{self.seed}")
        for slug in FLEET:
            self.organizations[slug] = seeded_uuid(rng)
        host = 10
        for slug, kinds in FLEET.items():
            for prefix, count, group, model, os_name, backend, system in kinds:
                if group and (slug, group) not in self.groups:
                    self.groups[(slug, group)] = seeded_uuid(rng)
                # Devices of one kind were added over time, -01 first; kinds interleave.
                stamps = sorted(WORLD_ANCHOR - rng.uniform(1, 400) * 86_400 for _ in range(count))
                for number, stamp in enumerate(stamps, start=1):
                    host += 1
                    device: dict[str, Any] = {
                        "id": seeded_uuid(rng),
                        "name": f"{prefix}-{number:02d}",
                        "organization": self.organizations[slug],
                        "group": self.groups[(slug, group)] if group else None,
                        "mac_address": _mac(rng),
                        "key": seeded_hex(rng, 32),
                        "last_ip": f"203.0.113.{host}",
                        "management_ip": f"10.8.{host // 250}.{host % 250 + 2}",
                        "model": model,
                        "os": os_name,
                        "system": system,
                        "notes": "",
                        "config": _config(rng, backend, prefix == "lab" and number == 2),
                        "created": iso_utc_micro(stamp),
                        "modified": iso_utc_micro(stamp + rng.uniform(0.001, 40 * 86_400)),
                    }
                    config = device["config"]
                    if config and config["status"] == "deactivated":
                        device["management_ip"] = None  # cleared on full deactivation
                    self.devices.append(device)
        self.devices.sort(key=lambda device: device["created"], reverse=True)


def _mac(rng: random.Random) -> str:
    """Upper case, as the model's validation stores it."""
    return rng.choice(OUIS) + "".join(f":{rng.randrange(256):02X}" for _ in range(3))


def _config(rng: random.Random, backend: str, without: bool) -> dict[str, str] | None:
    if without:
        return None
    status = weighted(rng, STATUSES)
    reason = rng.choice(ERROR_REASONS) if status == "error" else ""
    return {"status": status, "error_reason": reason, "backend": backend}
