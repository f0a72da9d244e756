"""What the OpenWISP list read, handed to a device's view: names for its ids."""

from __future__ import annotations

from dataclasses import dataclass

from noc_tui.api.openwisp_models import OpenWispDevice, OpenWispGroup, OpenWispOrganization


@dataclass(frozen=True)
class Fleet:
    devices: list[OpenWispDevice]
    organizations: dict[str, OpenWispOrganization]
    groups: dict[str, OpenWispGroup]
