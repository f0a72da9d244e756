"""LibreNMS's data: devices (some down with a reason), ports whose rates move once per poll
period, alert rules of several severities and alerts that open, worsen, recover and clear.

Rows follow current LibreNMS (librenms.md §4, §5, §6): numbers as JSON numbers, server-local
"Y-m-d H:i:s" timestamps, `alerts.info` as JSON text. Time only moves when asked (`advance`),
so the same clock always gives the same world.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from noc_tui.clock import Clock
from noc_tui.sim.common import WORLD_ANCHOR, cet_offset, spread

# Real LibreNMS polls every 300 s and its rates change once per period. The lab polls its
# pretend devices every 10 s so a port graph visibly draws in a demo; the semantics are the
# same (one value per period, `poll_time` steps by `poll_period`).
POLL_PERIOD = 10
LIFECYCLE_STEP = 600  # every 10 minutes one alert moves on

# (prefix, count, os, hardware, ports)
FLEET = (
    ("core-rtr", 4, "junos", "MX204", ("xe-0/0/0", "xe-0/0/1", "et-0/0/2", "fxp0", "lo0")),
    (
        "agg-sw",
        8,
        "arista_eos",
        "DCS-7050SX3-48YC8",
        ("Ethernet1", "Ethernet2", "Ethernet3", "Ethernet48", "Management1"),
    ),
    ("olt", 6, "huawei-smartax", "MA5800-X7", ("0/1/0", "0/1/1", "0/2/0", "meth0")),
    ("acc-sw", 10, "ios", "WS-C2960X-48TS-L", ("Gi1/0/1", "Gi1/0/2", "Gi1/0/24", "Vlan1")),
    ("srv", 6, "linux", "PowerEdge R650", ("eno1", "eno2")),
)
SITES = ("DC1 Hall A, Barcelona", "DC2 Hall C, Madrid", "POP Poblenou", "POP Gracia")
DOWN_REASONS = ("icmp", "snmp")
DOWN_SHARE = 0.15  # of the small fleet: enough to see in a demo
BIG_DOWN_SHARE = 0.001  # of the devices a big lab adds: 50 of 50,000, a usual day
DEFAULT_DEVICES = sum(kind[1] for kind in FLEET)  # 34
DEFAULT_ALERTS = 12
RULES = (
    (1, "Devices up/down", "critical"),
    (2, "Port status up/down", "warning"),
    (3, "Port utilisation over 80%", "warning"),
    (4, "Disk usage over 90%", "critical"),
    (5, "BGP Session down", "critical"),
    (6, "Sensor over limit", "warning"),
    (7, "Device rebooted", "ok"),
)


def _device_ip(device_id: int) -> str:
    """The small fleet's documentation range; a big one spills into 10.64.0.0/10."""
    if device_id < 255:
        return f"192.0.2.{device_id}"
    return f"10.{64 + device_id // 65_536 % 64}.{device_id // 256 % 256}.{device_id % 256}"


def local_time(ts: float) -> str:
    """Server-local wall time (Europe/Madrid), as MySQL `timestamp` columns read."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + cet_offset(ts)))


@dataclass
class LibreNmsWorld:
    seed: int
    clock: Clock
    system: dict[str, Any] = field(default_factory=dict)
    devices: list[dict[str, Any]] = field(default_factory=list)
    ports: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # device_id -> rows
    rules: list[dict[str, Any]] = field(default_factory=list)
    alerts: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_alert_id: int = 100
    stepped: int = 0  # lifecycle steps already applied
    size: int = DEFAULT_DEVICES
    open_alerts: int = DEFAULT_ALERTS  # alerts open at the start
    _by_id: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    _rules_by_id: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    _by_name: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed * 7919 + 4)
        now = self.clock.now()
        self._build_rules()
        self._build_devices(rng, now)
        for index in range(self.open_alerts):
            if index < DEFAULT_ALERTS:  # an hour apart, then (a big lab) over 30 days
                at = now - 3600 * (index + 1) - rng.randint(0, 1800)
            else:
                at = now - rng.randint(60, 30 * 86_400)
            self._open_alert(rng, at)
        self.stepped = self._steps(now)

    # -- building ----------------------------------------------------------------------

    def _build_rules(self) -> None:
        for rule_id, name, severity in RULES:
            self.rules.append(
                {
                    "id": rule_id,
                    "rule": "",
                    "severity": severity,
                    "extra": {
                        "options": {"override_query": False},
                        "invert": False,
                        "recovery": True,
                        "acknowledgement": True,
                    },
                    "disabled": 0,
                    "name": name,
                    "query": "",
                    "builder": {},
                    "proc": None,
                    "invert_map": 0,
                    "notes": None,
                }
            )

    def _build_devices(self, rng: random.Random, now: float) -> None:
        device_id, port_id = 10, 1100
        for kind in FLEET:
            for n in range(1, kind[1] + 1):
                device_id += 1
                port_id = self._add_device(rng, now, kind, n, device_id, port_id, DOWN_SHARE)
        del self.devices[self.size :]
        for gone in [key for key in self.ports if key > 10 + self.size]:
            del self.ports[gone]
        extra = self.size - len(self.devices)
        if extra <= 0:
            return
        # A big lab: more of each kind, numbered on, from a stream of their own (so the
        # default fleet stays exactly as it was); fewer of them down, as in a real network.
        big = random.Random(f"librenms-big:{self.seed}")
        numbers = [kind[1] for kind in FLEET]
        for index in spread(numbers, extra):
            numbers[index] += 1
            device_id += 1
            port_id = self._add_device(
                big, now, FLEET[index], numbers[index], device_id, port_id, BIG_DOWN_SHARE
            )

    def _add_device(
        self,
        rng: random.Random,
        now: float,
        kind: tuple[str, int, str, str, tuple[str, ...]],
        n: int,
        device_id: int,
        port_id: int,
        down_share: float,
    ) -> int:
        """One device and its ports; the last port id used."""
        prefix, count, os_name, hardware, names = kind
        down = rng.random() < down_share
        self.devices.append(
            {
                "device_id": device_id,
                "hostname": f"{prefix}-{n:02d}.noc.example.net",
                "sysName": f"{prefix}-{n:02d}",
                "ip": _device_ip(device_id),
                "os": os_name,
                "hardware": hardware,
                "version": "",
                "type": "server" if prefix == "srv" else "network",
                "status": 0 if down else 1,
                "status_reason": rng.choice(DOWN_REASONS) if down else "",
                "ignore": 0,
                "disabled": 0,
                "uptime": 0 if down else rng.randint(3600, 40_000_000),
                "last_polled": local_time(now - rng.randint(30, 290)),
                "location": rng.choice(SITES),
                "location_id": 1,
                "serial": f"SN{rng.randint(10**7, 10**8 - 1)}",
                "sysDescr": f"{hardware} running {os_name}",
            }
        )
        rows = []
        for index, name in enumerate(names, start=1):
            port_id += 1
            speed = 10_000_000_000 if name.startswith(("xe", "et", "Ether")) else 1_000_000_000
            oper = "down" if down or (rng.random() < 0.08) else "up"
            rows.append(
                {
                    "port_id": port_id,
                    "device_id": device_id,
                    "ifIndex": index,
                    "ifName": name,
                    "ifDescr": name,
                    "ifAlias": rng.choice(
                        ("", "Uplink", "Customer", "Transit: AS64500", "Management")
                    ),
                    "ifOperStatus": oper,
                    "ifAdminStatus": "up",
                    "ifSpeed": speed,
                    "ifType": "ethernetCsmacd",
                    "ifMtu": 1500,
                    "deleted": 0,
                    "base_rate": 0 if oper == "down" else rng.uniform(0.02, 0.6) * speed / 8,
                    "phase": rng.uniform(0, math.tau),
                }
            )
        # Servers' management-less boxes: the fleet's last server has no ports (a 404).
        self.ports[device_id] = rows if not (prefix == "srv" and n == count) else []
        return port_id

    def _open_alert(
        self, rng: random.Random, at: float, device: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        device = device or rng.choice(self.devices)
        rule = self.rules[0] if device["status"] == 0 else rng.choice(self.rules[1:])
        self.next_alert_id += 1
        alert = {
            "id": self.next_alert_id,
            "device_id": device["device_id"],
            "rule_id": rule["id"],
            "state": 1,
            "alerted": 1,
            "open": 1,
            "note": None,
            "timestamp": local_time(at),
            "info": "[]",
        }
        self.alerts[alert["id"]] = alert
        return alert

    def open_port_faults(self, device: dict[str, Any], ports: list[dict[str, Any]]) -> list[int]:
        """Newest LibreNMS (PR #19891, `alert_faults`; librenms.md §4.6): one alert per port
        that fired, its id a fault id, all with the device, rule and time of the others; only
        `entity_*` and `details` tell them apart. Ids of the faults opened."""
        rule = next(r for r in self.rules if r["name"] == "Port status up/down")
        at = local_time(self.clock.now())
        opened = []
        for port in ports:
            self.next_alert_id += 1
            self.alerts[self.next_alert_id] = {
                "id": self.next_alert_id,
                "device_id": device["device_id"],
                "rule_id": rule["id"],
                "entity_type": "port",
                "entity_id": port["port_id"],
                "entity_key": f"port|{port['port_id']}",
                "state": 1,
                "alerted": 1,
                "open": 0,
                "note": None,
                "info": "[]",
                "details": {
                    "rule": [
                        {
                            "port_id": port["port_id"],
                            "ifName": port["ifName"],
                            "ifAlias": port["ifAlias"],
                            "ifOperStatus": "down",
                            "ifAdminStatus": port["ifAdminStatus"],
                        }
                    ]
                },
                "first_seen": at,
                "last_seen": at,
                "timestamp": at,
            }
            opened.append(self.next_alert_id)
        return opened

    # -- time ------------------------------------------------------------------------

    def _steps(self, now: float) -> int:
        return int((now - WORLD_ANCHOR) // LIFECYCLE_STEP)

    def advance(self) -> None:
        """Apply the lifecycle steps due since last asked (bounded: at most 50 at once)."""
        now = self.clock.now()
        due = self._steps(now)
        for step in range(max(self.stepped + 1, due - 50), due + 1):
            self._step(random.Random(self.seed * 104729 + step), now)
        self.stepped = max(self.stepped, due)

    def _step(self, rng: random.Random, now: float) -> None:
        """One alert run: open a new alert, worsen/better one, recover one, clear old oks."""
        live = [a for a in self.alerts.values() if a["state"] != 0]
        choice = rng.random()
        if choice < 0.4 or not live:
            self._open_alert(rng, now)
        elif choice < 0.7:
            alert = rng.choice(live)
            # An ack "until clear" holds; otherwise worse/better replaces the ack (§4.3).
            if alert["state"] != 2 or not self.until_clear(alert):
                alert.update(state=rng.choice((3, 4)), timestamp=local_time(now))
        else:
            self.recover(rng.choice(live)["id"], now)
        for alert_id in [a["id"] for a in self.alerts.values() if a["state"] == 0]:
            if len(self.alerts) > 12 and rng.random() < 0.5:
                del self.alerts[alert_id]

    # -- operations the API exposes ---------------------------------------------------

    def until_clear(self, alert: dict[str, Any]) -> bool:
        try:
            info = json.loads(alert.get("info") or "[]")
        except ValueError:
            return False
        return isinstance(info, dict) and bool(info.get("until_clear"))

    def recover(self, alert_id: int, now: float) -> None:
        """A recovery: state 0 and the note is cleared (librenms.md §4.1)."""
        alert = self.alerts[alert_id]
        alert.update(state=0, alerted=0, open=0, note="", timestamp=local_time(now))

    def _append_note(self, alert: dict[str, Any], verb: str, note: str) -> None:
        stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0100", time.gmtime(self.clock.now() + 3600))
        line = f"{stamp} - {verb} (api) {note}".rstrip()
        alert["note"] = f"{alert['note']}\n{line}" if alert.get("note") else line

    def acknowledge(self, alert_id: int, note: str, until_clear: Any) -> bool:
        alert = self.alerts.get(alert_id)
        if alert is None:
            return False
        self._append_note(alert, "Ack", note)
        info = json.loads(alert.get("info") or "[]") or {}
        info = info if isinstance(info, dict) else {}
        info["until_clear"] = until_clear
        alert.update(state=2, info=json.dumps(info, separators=(",", ":")))
        return True

    def unmute(self, alert_id: int, note: str | None) -> bool:
        alert = self.alerts.get(alert_id)
        if alert is None:
            return False
        if note:
            self._append_note(alert, "Ack", note)
        alert["state"] = 1
        return True

    def device_by(self, key: str) -> dict[str, Any] | None:
        """By id or hostname, through an index (a big lab holds tens of thousands)."""
        self._index()
        if key.isdigit() and int(key) in self._by_id and str(int(key)) == key:
            return self._by_id[int(key)]
        return self._by_name.get(key)

    def _index(self) -> None:
        if len(self._by_id) != len(self.devices):
            self._by_id = {d["device_id"]: d for d in self.devices}
            self._by_name = {}
            for device in reversed(self.devices):  # the first of a hostname wins, as before
                self._by_name[device["hostname"]] = device
            self._rules_by_id = {r["id"]: r for r in self.rules}

    def device_row(self, device: dict[str, Any]) -> dict[str, Any]:
        """A device as last polled: an up device was polled in the current period."""
        if device["status"] != 1:
            return device  # a down device answers no SNMP: its last poll stays where it was
        now = self.clock.now()
        polled = now // POLL_PERIOD * POLL_PERIOD - device["device_id"] % 7
        return {**device, "last_polled": local_time(polled)}

    def port_row(self, port: dict[str, Any]) -> dict[str, Any]:
        """A port with its rates at the last poll: one new value per POLL_PERIOD."""
        now = self.clock.now()
        poll_time = int(now // POLL_PERIOD * POLL_PERIOD)
        wave = 0.5 + 0.5 * math.sin(poll_time / 300 + port["phase"])
        jitter = random.Random(port["port_id"] * 31 + poll_time).uniform(0.85, 1.15)
        rate_in = int(port["base_rate"] * wave * jitter)
        rate_out = int(port["base_rate"] * (1 - wave / 2) * jitter)
        row = {k: v for k, v in port.items() if k not in ("base_rate", "phase")}
        row.update(
            ifInOctets_rate=rate_in,
            ifOutOctets_rate=rate_out,
            ifInErrors_rate=0,
            ifOutErrors_rate=0,
            ifInErrors=0,
            ifOutErrors=0,
            poll_time=poll_time,
            poll_prev=poll_time - POLL_PERIOD,
            poll_period=POLL_PERIOD,
        )
        return row

    def alert_row(self, alert: dict[str, Any]) -> dict[str, Any]:
        """`list_alerts()` columns: hostname, alerts.*, then the rule's severity/name/proc/notes."""
        # Indexes by id: the join runs once per alert, and the bench holds 10,000 of them.
        self._index()
        device = self._by_id.get(alert["device_id"], {})
        rule = self._rules_by_id.get(alert["rule_id"], {})
        return {
            "hostname": device.get("hostname", ""),
            **alert,
            "severity": rule.get("severity", "warning"),
            "name": rule.get("name", ""),
            "proc": rule.get("proc"),
            "notes": rule.get("notes") or "",
        }
