"""OpenWISP's things in the operator's words, parsed tolerantly (missing/null fields).

A device's `key` (the secret it authenticates to the controller with) is never kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

CONFIG_STATUSES = ("applied", "modified", "error", "deactivating", "deactivated")
COMMAND_DONE = ("success", "failed")


# The statuses the overview counts one by one; the rest of a fleet (no configuration,
# deactivating, deactivated) is counted as "other" from the total.
COUNTED_STATUSES = ("applied", "modified", "error")


@dataclass(frozen=True)
class ConfigCounts:
    """How many devices the controller holds, and how many in each counted config status:
    the server's own counts, one row of an answer each, whatever the fleet's size."""

    total: int
    by_status: tuple[tuple[str, int], ...]  # (status, count) in COUNTED_STATUSES order

    def of(self, status: str) -> int:
        return dict(self.by_status).get(status, 0)

    @property
    def other(self) -> int:
        return max(0, self.total - sum(count for _, count in self.by_status))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (so .get() is always safe)."""
    return value if isinstance(value, dict) else {}


def _opt(value: Any) -> str | None:
    text = _text(value)
    return text or None


@dataclass(frozen=True, slots=True)  # slots: a fleet of 50,000 is held in memory
class OpenWispDevice:
    id: str
    name: str
    organization: str
    group: str | None
    mac_address: str
    last_ip: str | None
    management_ip: str | None
    model: str
    os: str
    system: str
    notes: str
    config_status: str | None  # None: the device has no configuration
    error_reason: str
    backend: str
    templates: tuple[str, ...]
    is_deactivated: bool
    created: str
    modified: str

    @classmethod
    def parse(cls, row: dict[str, Any]) -> OpenWispDevice:
        config = row.get("config") if isinstance(row.get("config"), dict) else None
        templates = config.get("templates") if config else None
        status = _opt(config.get("status")) if config else None
        deactivated = row.get("is_deactivated")
        if not isinstance(deactivated, bool):  # list rows lack it; the status tells
            deactivated = status in ("deactivating", "deactivated")
        return cls(
            id=_text(row.get("id")),
            name=_text(row.get("name")),
            organization=_text(row.get("organization")),
            group=_opt(row.get("group")),
            mac_address=_text(row.get("mac_address")),
            last_ip=_opt(row.get("last_ip")),
            management_ip=_opt(row.get("management_ip")),
            model=_text(row.get("model")),
            os=_text(row.get("os")),
            system=_text(row.get("system")),
            notes=_text(row.get("notes")),
            config_status=status,
            error_reason=_text(config.get("error_reason")) if config else "",
            backend=_text(config.get("backend")) if config else "",
            templates=tuple(_text(t) for t in templates) if isinstance(templates, list) else (),
            is_deactivated=deactivated,
            created=_text(row.get("created")),
            modified=_text(row.get("modified")),
        )

    @property
    def backend_short(self) -> str:
        """'netjsonconfig.OpenWrt' -> 'OpenWrt'."""
        return self.backend.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class OpenWispGroup:
    id: str
    name: str
    organization: str
    description: str
    templates: tuple[str, ...]

    @classmethod
    def parse(cls, row: dict[str, Any]) -> OpenWispGroup:
        templates = row.get("templates")
        return cls(
            _text(row.get("id")),
            _text(row.get("name")),
            _text(row.get("organization")),
            _text(row.get("description")),
            tuple(_text(t) for t in templates) if isinstance(templates, list) else (),
        )


@dataclass(frozen=True)
class OpenWispOrganization:
    id: str
    name: str
    slug: str
    is_active: bool

    @classmethod
    def parse(cls, row: dict[str, Any]) -> OpenWispOrganization:
        return cls(
            _text(row.get("id")),
            _text(row.get("name")),
            _text(row.get("slug")),
            row.get("is_active") is not False,
        )


@dataclass(frozen=True)
class OpenWispTemplate:
    id: str
    name: str
    organization: str | None
    type: str
    backend: str
    default: bool
    required: bool

    @classmethod
    def parse(cls, row: dict[str, Any]) -> OpenWispTemplate:
        return cls(
            _text(row.get("id")),
            _text(row.get("name")),
            _opt(row.get("organization")),
            _text(row.get("type")),
            _text(row.get("backend")),
            row.get("default") is True,
            row.get("required") is True,
        )


@dataclass(frozen=True)
class OpenWispLocation:
    id: str
    name: str
    address: str
    type: str
    is_mobile: bool
    longitude: float | None
    latitude: float | None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> OpenWispLocation | None:
        feature = body.get("location")
        if not isinstance(feature, dict):
            return None
        props = _mapping(feature.get("properties"))
        geometry = _mapping(feature.get("geometry"))
        coords = geometry.get("coordinates")
        lon = lat = None
        if isinstance(coords, list) and len(coords) >= 2:
            try:
                lon, lat = float(coords[0]), float(coords[1])
            except (TypeError, ValueError, OverflowError):  # an int too big for a float
                lon = lat = None
            if lon is not None and lat is not None and not math.isfinite(lon + lat):
                lon = lat = None  # "nan", "inf", "1e400" as strings: no place on a map
        return cls(
            _text(feature.get("id")),
            _text(props.get("name")),
            _text(props.get("address")),
            _text(props.get("type")),
            props.get("is_mobile") is True,
            lon,
            lat,
        )


@dataclass(frozen=True)
class OpenWispCommand:
    id: str
    device: str
    type: str  # "Reboot", "Custom commands", ...
    input: str
    status: str  # in-progress, success, failed
    output: str
    created: str
    modified: str

    @classmethod
    def parse(cls, row: dict[str, Any]) -> OpenWispCommand:
        raw_input = row.get("input")
        if isinstance(raw_input, dict):  # some types carry their input as an object
            raw_input = raw_input.get("command", "")
        return cls(
            _text(row.get("id")),
            _text(row.get("device")),
            _text(row.get("type")),
            _text(raw_input),
            _text(row.get("status")),
            _text(row.get("output")),
            _text(row.get("created")),
            _text(row.get("modified")),
        )

    @property
    def done(self) -> bool:
        return self.status in COMMAND_DONE
