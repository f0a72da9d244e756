"""Krill's live monitoring in the lab: optical levels per krill-kalliope.md §2, states, alarms,
bandwidth and the effects of actions, all as functions of (CPE, time)."""

from __future__ import annotations

import math
import random
from typing import Any, Protocol

from noc_tui.sim.common import WORLD_ANCHOR, iso_cet, weighted


class World(Protocol):
    """What monitoring needs of the Krill world (which owns it): no import back."""

    @property
    def seed(self) -> int: ...

    def customer(self, record: dict[str, Any]) -> dict[str, Any]: ...

    def potses(self, record: dict[str, Any]) -> list[dict[str, Any]]: ...


# -- monitoring: optical levels per krill-kalliope.md §2, states, alarms, bandwidth ------------

TXRX_LIMITS = {  # metric: (unit, thresholds, min, max) as Krill's defaults
    "dnrx": ("dBm", [-29, -27, -11, -8], -49, 5),
    "uptx": ("dBm", [], -10, 15),
    "uprx": ("dBm", [-32, -30, -12, -9], -49, 5),
    "upatt": ("dB", [26, 46], 1, 60),
}
OLTS = ("oltNorte", "oltSur", "oltCentro", "oltHuerta")
STATES = (("online", 93), ("offline", 3), ("los", 3), ("dying-gasp", 1))
ALL_ACTIONS = ["diagnostic", "factory", "reboot", "reconfig", "reprovision", "unprovision"]
ACTION_DOWNTIME = {"reboot": 30.0, "factory": 60.0, "reprovision": 15.0}
SPEEDS_KBPS = {4: 50_000, 6: 100_000, 8: 300_000, 10: 600_000, 12: 1_000_000}


def _noise(*keys: float) -> float:
    """A cheap deterministic value in [0, 1) for (cpe, time bucket)."""
    h = 2166136261
    for key in keys:
        h = ((h ^ int(key)) * 16777619) & 0xFFFFFFFF
    return (h >> 8) / float(1 << 24)


class Monitoring:
    """Live values as functions of (CPE, time): any instant and any history range agree."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._optics: dict[int, dict[str, Any]] = {}
        self.down_until: dict[int, tuple[float, float, str]] = {}  # id: (from, until, why)
        self.booted: dict[int, float] = {}
        self.gone: set[int] = set()

    def optics(self, record: dict[str, Any]) -> dict[str, Any]:
        cpe_id = record["id"]
        if cpe_id not in self._optics:
            rng = random.Random(f"krill-optics:{self.world.seed}:{cpe_id}")
            olt = OLTS[cpe_id % len(OLTS)]
            port = f"0/{rng.randrange(1, 8)}/{rng.randrange(0, 16)}"
            pon = random.Random(f"krill-pon:{self.world.seed}:{olt}:{port}")
            loss = min(31.0, max(13.0, rng.gauss(24, 3.5)))
            fault = rng.random()
            if fault < 0.03:
                loss += rng.uniform(3, 6)  # dirty connector
            elif fault < 0.04:
                loss = 14.0 + rng.uniform(0, 0.8)  # hot ONT next to the OLT
            uptx = rng.uniform(1.8, 3.6)
            self._optics[cpe_id] = {
                "olt": olt,
                "port": port,
                "onu": rng.randrange(0, 64),
                "olt_tx": pon.uniform(4.5, 5.5),
                "loss": loss,
                "uptx": uptx,
                "upgap": rng.gauss(2.5, 1.5),
                "pondesv": rng.gauss(0, 0.4),
                "phase": rng.uniform(0, 2 * math.pi),
                "state": weighted(rng, STATES),
                "boot": WORLD_ANCHOR - rng.uniform(600, 60 * 86_400),
                "alarmy": rng.random() < 0.1,
                "distance": rng.randrange(300, 18_000),
            }
        return self._optics[cpe_id]

    def state(self, record: dict[str, Any], now: float) -> str:
        if record["id"] in self.gone:
            return "gone"
        window = self.down_until.get(record["id"])
        if window and window[0] <= now < window[1]:
            return window[2]
        return str(self.optics(record)["state"])

    def levels(self, record: dict[str, Any], now: float) -> dict[str, float]:
        o = self.optics(record)
        drift = 0.4 * math.sin(now / 21_600 * 2 * math.pi + o["phase"])
        jitter = [(_noise(record["id"], now // 5, k) - 0.5) * 0.1 for k in range(3)]
        dnrx = o["olt_tx"] - o["loss"] - drift + jitter[0]
        uptx = o["uptx"] + jitter[1]
        uprx = uptx - (o["loss"] - o["upgap"]) - drift + jitter[2]
        return {
            "dnrx": round(dnrx, 2),
            "uptx": round(uptx, 2),
            "uprx": round(uprx, 2),
            "dnatt": round(o["olt_tx"] - dnrx, 2),
            "upatt": round(uptx - uprx, 2),
            "pondesv": round(o["pondesv"] + jitter[0], 2),
        }

    def bandwidth(self, record: dict[str, Any], now: float) -> tuple[float, float]:
        peak = SPEEDS_KBPS.get(record["profile"], 100_000) * 0.05
        hour = (now % 86_400) / 3600
        diurnal = 0.25 + 0.75 * max(0.0, math.sin((hour - 8) / 16 * math.pi))
        burst = _noise(record["id"], now // 10, 7)
        dn = peak * diurnal * (0.3 + 1.4 * burst)
        return round(dn, 1), round(dn * (0.08 + 0.1 * _noise(record["id"], now // 10, 9)), 1)

    def alarms(self, record: dict[str, Any], state: str, now: float) -> list[dict[str, Any]]:
        o = self.optics(record)
        out: list[dict[str, Any]] = []
        if state == "los":
            out.append(
                {
                    "level": "critical",
                    "type": "communicationalarm",
                    "admin_status": "init",
                    "name": "The ONT is offline (LOSi/LOBi)",
                    "extra": "effect=serviceaffect",
                }
            )
        if state == "dying-gasp":
            out.append(
                {
                    "level": "critical",
                    "type": "environmentalarm",
                    "admin_status": "init",
                    "name": "The ONT power supply fails (dying-gasp)",
                    "extra": None,
                }
            )
        if o["alarmy"] and math.sin(now / 1200 + o["phase"]) > 0.5:  # comes and goes
            out.append(
                {
                    "level": "warning",
                    "type": "processerror",
                    "admin_status": "init",
                    "name": "The GPON ONT configuration recovery fails",
                    "extra": "effect=serviceaffect curr=0 prev=1",
                }
            )
        return out

    def info(self, record: dict[str, Any], now: float) -> dict[str, Any] | None:
        state = self.state(record, now)
        if state == "gone":
            return None
        o = self.optics(record)
        online = state == "online"
        boot = max(o["boot"], self.booted.get(record["id"], 0.0))
        registered = state != "los"
        reg_id = f"{o['port']}-{o['onu']}"
        ip = f"100.64.{record['id'] // 250 % 256}.{record['id'] % 250 + 2}"
        dn, up = self.bandwidth(record, now) if online else (0, 0)
        speed_table = f"{SPEEDS_KBPS.get(record['profile'], 0) // 1000}M"
        info: dict[str, Any] = {
            "alarms": self.alarms(record, state, now),
            "distance": o["distance"] if online else -1,
            "dnbw": dn,
            "upbw": up,
            "ips": [ip] if online else ["0.0.0.0"],
            "output": f"online {o['olt']}:{reg_id} {ip}" if online else "Offline!",
            "registration": {
                "host": o["olt"] if registered else "__reghost__",
                "id": reg_id if registered else "__regid__",
                "last_down_time": iso_cet(boot - 5) if online else iso_cet(now - 60),
                "related_services": [f"onug-olt{o['port']}"] if registered else [],
                "states": [state] if registered else ["__regstate__"],
                "tags": [f"{o['olt']}-{o['port']}", o["olt"]] if registered else ["__regtags__"],
            },
            "services": {},
            "state": "up" if online else "down",
            "state_id": 0 if online else 1,
            "tech": {
                "line_profile": f"{record['line_profile']}_krill",
                "service_ports": [
                    {
                        "id": record["id"] * 10,
                        "user_vlan": 1023,
                        "service_vlan": 833,
                        "outbound_traffic_table_name": "management",
                        "inbound_traffic_table_name": "management",
                        "native_vlan": 0,
                    },
                    {
                        "id": record["id"] * 10 + 1,
                        "user_vlan": 1021,
                        "service_vlan": 831,
                        "outbound_traffic_table_name": speed_table,
                        "inbound_traffic_table_name": speed_table,
                        "native_vlan": 1,
                    },
                ],
                "service_profile": "HG4101",
                "type_name": record["model"],
            },
            "uptime": int(now - boot) if online else 0,
        }
        if record["tech"] == "gpon":
            info["services"]["txrx"] = self._txrx(record, now, online)
        return info

    def _txrx(self, record: dict[str, Any], now: float, online: bool) -> dict[str, Any]:
        lv = self.levels(record, now)
        perfdatas = []
        for metric, (uom, thresholds, low, high) in TXRX_LIMITS.items():
            value: float | None = lv[metric] if online else None
            if not online and metric == "upatt":
                value = -1.0  # what offline ONTs really report
            perfdatas.append(
                {
                    "items": [],
                    "max": high,
                    "metric": metric,
                    "min": low,
                    "thresholds": thresholds,
                    "uom": uom,
                    "value": value,
                }
            )
        output = " ".join(f"{k}={v:.2f}" for k, v in lv.items()) if online else "Offline!"
        return {"output": output, "perfdatas": perfdatas, "state_id": 0 if online else 2}

    def host(self, record: dict[str, Any], now: float) -> dict[str, Any] | None:
        info = self.info(record, now)
        if info is None:
            return None
        w = self.world
        customer = w.customer(record)
        tr069_only = ("reconfig", "diagnostic")
        actions = [a for a in ALL_ACTIONS if record["has_tr069"] or a not in tr069_only]
        stamp = iso_cet(now)
        up = info["state"] == "up"
        return {
            "type": "Host",
            "name": record["internal_id"],
            "meta": {},
            "joins": {},
            "attrs": {
                "address": "",
                "host_name": record["internal_id"],
                "last_check": stamp,
                "output": info["output"],
                "service_name": "",
                "state": 0 if up else 1,
                "state_type": 1,
                "state_long": "up" if up else "down",
                "vars": {
                    "vendor": "Huawei",
                    "model": record["model"],
                    "type": "cpe",
                    "administrative_info": {
                        "access": record["access"],
                        "actions": actions,
                        "active": record["active"],
                        "customer_name": f"{customer['name']} {customer['surname']}",
                        "customer_address": f"{record['address']} - {record['city']}",
                        "customer_external_id": record["external_id"],
                        "id": record["id"],
                        "model": record["model"],
                        "potses": [p["cli"] for p in w.potses(record)],
                        "profile_name": f"{SPEEDS_KBPS.get(record['profile'], 0) // 1000}M",
                        "realm": record["realm"],
                        "sn": record["sn"],
                        "tech": record["tech"],
                    },
                },
            },
        }

    def act(self, record: dict[str, Any], action: str, now: float) -> None:
        """Queued on Krill's side: the effect starts a few seconds later."""
        if action == "unprovision":
            self.gone.add(record["id"])
        elif action in ACTION_DOWNTIME:
            self.gone.discard(record["id"])
            end = now + 3 + ACTION_DOWNTIME[action]
            self.down_until[record["id"]] = (now + 3, end, "offline")
            self.booted[record["id"]] = end

    def series(self, record: dict[str, Any], metric: str, start: float, end: float) -> list[Any]:
        span = max(60.0, end - start)
        step = max(60.0, round(span / 120 / 60) * 60)
        points = []
        t = start - start % step + step
        while t <= end:
            if metric in ("dnbw", "upbw"):
                value: float | None = self.bandwidth(record, t)[metric == "upbw"]
            else:
                value = self.levels(record, t).get(metric)
            points.append((t, value))
            t += step
        return points
