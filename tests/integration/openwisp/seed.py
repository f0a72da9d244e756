"""Put the controller in the state the integration tests expect (idempotent).

Run by setup.sh with the peer venv's python:  python seed.py
2 organisations, 5 templates, 5 device groups, 3 locations, 18 devices covering every config
status (and one without a config), one device with an SSH connection to a closed loopback
port, and two users with fixed passwords and API tokens. Running it again puts every seeded
object back (status, activation, group, location) without duplicating anything; objects the
tests add (commands) stay: `setup.sh --reset` starts from an empty database.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "owpeer.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.db import transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from swapper import load_model  # noqa: E402

Organization = load_model("openwisp_users", "Organization")
OrganizationUser = load_model("openwisp_users", "OrganizationUser")
PermissionGroup = load_model("openwisp_users", "Group")
User = get_user_model()
Device = load_model("config", "Device")
DeviceGroup = load_model("config", "DeviceGroup")
Config = load_model("config", "Config")
Template = load_model("config", "Template")
Location = load_model("geo", "Location")
DeviceLocation = load_model("geo", "DeviceLocation")
Credentials = load_model("connection", "Credentials")
DeviceConnection = load_model("connection", "DeviceConnection")

PASSWORD = "nocadmin123"  # admin and operator; the tests log in with it
TOKENS = {  # DRF keys are 40 characters; fixed so the tests can hard-code them
    "admin": "0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0",
    "operator": "0be7a7012c0ffee0be7a7012c0ffee0be7a70120",
}
OPENWRT = "netjsonconfig.OpenWrt"
OPENWISP1 = "netjsonconfig.OpenWisp"
SSH = "openwisp_controller.connection.connectors.ssh.Ssh"
OPENWRT_SSH = "openwisp_controller.connection.connectors.openwrt.ssh.OpenWrt"


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    org: str | None  # None: shared by every organisation
    backend: str
    config: dict[str, Any]
    default: bool = False
    default_values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    org: str
    description: str
    meta_data: dict[str, str] = field(default_factory=dict)
    templates: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeviceSpec:
    name: str
    org: str
    group: str | None
    status: str  # applied | modified | error | deactivating | deactivated | none (no config)
    backend: str = OPENWRT
    location: str | None = None
    templates: tuple[str, ...] = ()
    model: str = ""
    os: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _file(path: str, mode: str, contents: str) -> dict[str, Any]:
    return {"files": [{"path": path, "mode": mode, "contents": contents}]}


TEMPLATES = (
    TemplateSpec(
        "ntp-servers",
        None,
        OPENWRT,
        {
            "ntp": {
                "enabled": True,
                "enable_server": False,
                "server": ["0.pool.ntp.org", "1.pool.ntp.org"],
            }
        },
        default=True,
    ),
    TemplateSpec(
        "guest-lan",
        "default",
        OPENWRT,
        {
            "interfaces": [
                {
                    "name": "guest0",
                    "type": "ethernet",
                    "addresses": [
                        {"proto": "static", "family": "ipv4", "address": "192.168.42.1", "mask": 24}
                    ],
                }
            ]
        },
    ),
    TemplateSpec(
        "monitoring-agent",
        "default",
        OPENWRT,
        _file("/etc/noc-monitoring.conf", "0644", "interval={{ monitoring_interval }}\n"),
        default_values={"monitoring_interval": "60"},
    ),
    TemplateSpec(
        "openwisp1-base",
        None,
        OPENWISP1,
        {"general": {"description": "OpenWISP 1.x firmware base"}},
    ),
    TemplateSpec(
        "acme-snmp",
        "acme-isp",
        OPENWRT,
        _file("/etc/acme-snmp.conf", "0600", "community {{ snmp_community }}\n"),
        default_values={"snmp_community": "public"},
    ),
)

GROUPS = (
    GroupSpec("core-routers", "default", "Core/backbone routers", {"sla": "gold"}),
    GroupSpec("access-points", "default", "Indoor/outdoor APs", {"sla": "silver"}, ("guest-lan",)),
    GroupSpec("cpe", "default", "Customer premises equipment"),
    GroupSpec("staging", "default", "no devices on purpose"),
    GroupSpec("backbone", "acme-isp", "ACME backbone", {"sla": "platinum"}, ("acme-snmp",)),
)

LOCATIONS = {  # name: (org, address, longitude, latitude)
    "Rome HQ": ("default", "Via del Corso 1, Rome", 12.4823, 41.8986),
    "Milan POP": ("default", "Piazza del Duomo, Milan", 9.1900, 45.4642),
    "Berlin DC": ("acme-isp", "Alexanderplatz, Berlin", 13.4132, 52.5219),
}

_NTP = ("ntp-servers",)
_HEX = {"model": "MikroTik hEX", "os": "OpenWrt 23.05.3"}
_EAP = {"model": "TP-Link EAP225", "os": "OpenWrt 23.05.3"}
_NSM5 = {"model": "Ubiquiti NanoStation M5", "os": "OpenWISP Firmware 1.x"}
_MT300 = {"model": "GL.iNet GL-MT300N-V2", "os": "OpenWrt 21.02.7"}
_AR300 = {"model": "GL.iNet GL-AR300M", "os": "OpenWrt 19.07.10"}
_BPI = {"model": "Banana Pi R3", "os": "OpenWrt 23.05.3"}

DEVICES = (
    DeviceSpec(
        "rtr-core-01",
        "default",
        "core-routers",
        "applied",
        location="Rome HQ",
        templates=("ntp-servers", "monitoring-agent"),
        **_HEX,
    ),
    DeviceSpec(
        "rtr-core-02",
        "default",
        "core-routers",
        "applied",
        location="Milan POP",
        templates=("ntp-servers", "monitoring-agent"),
        **_HEX,
    ),
    DeviceSpec(
        "rtr-core-03",
        "default",
        "core-routers",
        "error",
        location="Milan POP",
        templates=_NTP,
        model="Turris Omnia",
        os="OpenWrt 22.03.5",
    ),
    DeviceSpec(
        "ap-rome-01",
        "default",
        "access-points",
        "applied",
        location="Rome HQ",
        templates=_NTP,
        **_EAP,
    ),
    DeviceSpec(
        "ap-rome-02",
        "default",
        "access-points",
        "modified",
        location="Rome HQ",
        templates=_NTP,
        **_EAP,
    ),
    DeviceSpec(
        "ap-rome-03",
        "default",
        "access-points",
        "applied",
        templates=_NTP,
        model="Ubiquiti UniFi AC Lite",
        os="OpenWrt 23.05.2",
    ),
    DeviceSpec(
        "ap-milan-01",
        "default",
        "access-points",
        "applied",
        backend=OPENWISP1,
        location="Milan POP",
        templates=("openwisp1-base",),
        **_NSM5,
    ),
    DeviceSpec(
        "ap-milan-02",
        "default",
        "access-points",
        "error",
        backend=OPENWISP1,
        templates=("openwisp1-base",),
        **_NSM5,
    ),
    DeviceSpec("cpe-0001", "default", "cpe", "applied", **_MT300),
    DeviceSpec("cpe-0002", "default", "cpe", "modified", **_MT300),
    DeviceSpec("cpe-0003", "default", "cpe", "deactivated", **_AR300),
    DeviceSpec("cpe-0004", "default", "cpe", "deactivating", **_AR300),
    DeviceSpec(
        "spare-unprovisioned",
        "default",
        None,
        "none",
        extra={"notes": "in the stock room, never configured"},
    ),
    # The one device with an SSH connection: loopback, port 2 (closed), so a command fails
    # fast with "Unable to connect" and nothing leaves the machine.
    DeviceSpec(
        "rtr-lab-01",
        "default",
        "core-routers",
        "applied",
        location="Rome HQ",
        templates=_NTP,
        model="QEMU x86-64",
        os="OpenWrt 23.05.3",
        extra={"management_ip": "127.0.0.1", "last_ip": "127.0.0.1"},
    ),
    DeviceSpec(
        "acme-bb-01",
        "acme-isp",
        "backbone",
        "applied",
        location="Berlin DC",
        templates=("acme-snmp",),
        **_BPI,
    ),
    DeviceSpec(
        "acme-bb-02",
        "acme-isp",
        "backbone",
        "applied",
        location="Berlin DC",
        templates=("acme-snmp",),
        **_BPI,
    ),
    DeviceSpec("acme-bb-03", "acme-isp", "backbone", "modified", templates=("acme-snmp",), **_BPI),
    DeviceSpec(
        "acme-edge-01", "acme-isp", None, "error", model="Linksys WRT3200ACM", os="OpenWrt 22.03.6"
    ),
)
LAB_DEVICE = "rtr-lab-01"


def organisations() -> dict[str, Any]:
    default, _ = Organization.objects.get_or_create(slug="default", defaults={"name": "default"})
    acme, _ = Organization.objects.get_or_create(
        slug="acme-isp",
        defaults={
            "name": "ACME ISP",
            "description": "second tenant",
            "email": "noc@acme.example",
            "url": "https://acme.example",
        },
    )
    return {"default": default, "acme-isp": acme}


def users(orgs: dict[str, Any]) -> None:
    """admin: superuser. operator: staff, manager of "default" only."""
    for name, superuser in (("admin", True), ("operator", False)):
        user, _ = User.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.com"}
        )
        user.is_staff = user.is_active = True
        user.is_superuser = superuser
        user.set_password(PASSWORD)
        user.save()
        Token.objects.filter(user=user).exclude(key=TOKENS[name]).delete()
        Token.objects.get_or_create(user=user, key=TOKENS[name])
        state = Path(settings.DATABASES["default"]["NAME"]).parent
        (state / f"{name}.token").write_text(TOKENS[name] + "\n")
    operator = User.objects.get(username="operator")
    operator.groups.add(PermissionGroup.objects.get(name="Operator"))
    OrganizationUser.objects.get_or_create(
        user=operator, organization=orgs["default"], defaults={"is_admin": True}
    )


def templates(orgs: dict[str, Any]) -> dict[str, Any]:
    made = {}
    for spec in TEMPLATES:
        made[spec.name], _ = Template.objects.get_or_create(
            name=spec.name,
            organization=orgs[spec.org] if spec.org else None,
            defaults={
                "backend": spec.backend,
                "config": spec.config,
                "default": spec.default,
                "default_values": spec.default_values,
                "type": "generic",
            },
        )
    return made


def groups(orgs: dict[str, Any], tpls: dict[str, Any]) -> dict[str, Any]:
    made = {}
    for spec in GROUPS:
        group, _ = DeviceGroup.objects.get_or_create(
            name=spec.name,
            organization=orgs[spec.org],
            defaults={"description": spec.description, "meta_data": spec.meta_data},
        )
        if spec.templates and not group.templates.exists():
            group.templates.add(*(tpls[name] for name in spec.templates))
        made[spec.name] = group
    return made


def locations(orgs: dict[str, Any]) -> dict[str, Any]:
    made = {}
    for name, (org, address, lng, lat) in LOCATIONS.items():
        made[name], _ = Location.objects.get_or_create(
            name=name,
            organization=orgs[org],
            defaults={
                "type": "outdoor",
                "is_mobile": False,
                "address": address,
                "geometry": Point(lng, lat, srid=4326),
            },
        )
    return made


def new_device(number: int, spec: DeviceSpec, org: Any) -> Any:
    fields = {
        "last_ip": f"203.0.113.{10 + number}",  # documentation ranges: never routable
        "management_ip": f"198.51.100.{10 + number}",
        **spec.extra,
    }
    device = Device(
        name=spec.name,
        organization=org,
        mac_address=f"02:00:5e:10:00:{number:02x}",
        hardware_id=f"SN-{number:05d}",
        model=spec.model,
        os=spec.os,
        system="seeded by noc-tui peer",
        **fields,
    )
    device.full_clean()
    device.save()
    return device


def set_status(device: Any, spec: DeviceSpec, tpls: dict[str, Any]) -> None:
    if not device._has_config():
        config = Config(
            device=device, backend=spec.backend, context={"site": spec.location or "unknown"}
        )
        config.full_clean()
        config.save()
        config.templates.add(*(tpls[name] for name in spec.templates))
        device.refresh_from_db()
    config = device.config
    if spec.status in ("deactivating", "deactivated"):
        if not device.is_deactivated():
            device.deactivate()
            device.refresh_from_db()
            config = device.config
        if spec.status == "deactivated" and config.status != "deactivated":
            config.set_status_deactivated()  # as when the device confirms it
        elif spec.status == "deactivating" and config.status != "deactivating":
            config._set_status("deactivating")  # no public setter: a re-seed after activate()
        return
    if config.status == spec.status:
        return
    if spec.status == "applied":
        config.set_status_applied()
    elif spec.status == "modified":
        config.set_status_modified(send_config_modified_signal=False)
    elif spec.status == "error":
        config.set_status_error(reason="seed: simulated apply failure (uci commit returned 1)")


def place(device: Any, where: Any | None) -> None:
    current = DeviceLocation.objects.filter(content_object=device).first()
    if where is None:
        if current is not None:
            current.delete()
    elif current is None:
        link = DeviceLocation(content_object=device, location=where)
        link.full_clean()
        link.save()
    elif current.location_id != where.pk:
        current.location = where
        current.save()


def device(
    number: int,
    spec: DeviceSpec,
    orgs: dict[str, Any],
    tpls: dict[str, Any],
    grps: dict[str, Any],
    locs: dict[str, Any],
) -> Any:
    org = orgs[spec.org]
    found = Device.objects.filter(name=spec.name, organization=org).first()
    found = found or new_device(number, spec, org)
    if found.is_deactivated() and spec.status not in ("deactivating", "deactivated"):
        found.activate()
        found.refresh_from_db()
    group = grps[spec.group] if spec.group else None
    if found.group_id != (group.pk if group else None):
        found.group = group
        found.save()
    if spec.status != "none":
        set_status(found, spec, tpls)
    place(found, locs[spec.location] if spec.location else None)
    return found


def lab_connection(lab: Any) -> None:
    credentials, _ = Credentials.objects.get_or_create(
        name="lab-ssh (loopback, closed port)",
        organization=lab.organization,
        defaults={
            "connector": SSH,
            "params": {"username": "root", "password": "not-a-real-password", "port": 2},
            "auto_add": False,
        },
    )
    if not DeviceConnection.objects.filter(device=lab, credentials=credentials).exists():
        connection = DeviceConnection(
            device=lab, credentials=credentials, enabled=True, update_strategy=OPENWRT_SSH
        )
        connection.full_clean()
        connection.save()


def main() -> None:
    # Seeding is not an API call: drop the push-to-device task openwisp runs on every
    # config change (eager Celery would spend 2 s on each, trying to reach the device).
    from openwisp_controller.config.signals import config_deactivating, config_modified

    for signal in (config_modified, config_deactivating):
        signal.disconnect(dispatch_uid="connection.update_config")
    with transaction.atomic():
        orgs = organisations()
        users(orgs)
        tpls = templates(orgs)
        grps = groups(orgs, tpls)
        locs = locations(orgs)
    made = {}
    for number, spec in enumerate(DEVICES, start=1):
        with transaction.atomic():  # one device at a time, as an operator would make them
            made[spec.name] = device(number, spec, orgs, tpls, grps, locs)
    lab_connection(made[LAB_DEVICE])
    statuses: dict[str, int] = {}
    for one in Device.objects.select_related("config", "organization"):
        key = f"{one.organization.slug}:{one.config.status if one._has_config() else 'no-config'}"
        statuses[key] = statuses.get(key, 0) + 1
    print(f"seed: {Device.objects.count()} devices {dict(sorted(statuses.items()))}")


if __name__ == "__main__":
    main()
