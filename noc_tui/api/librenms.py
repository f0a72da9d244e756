"""LibreNMS alerts and devices: JSON REST under /api/v0/, `X-Auth-Token` auth."""

from __future__ import annotations

import asyncio
import zoneinfo
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from noc_tui.api.auth import Auth, HeaderAuth, NoAuth
from noc_tui.api.base import ApiClient, BadArgument, PingResult
from noc_tui.api.errors import NotFound, ServerError
from noc_tui.api.http import segment
from noc_tui.api.librenms_models import (
    ALL_STATES,
    PORT_COLUMNS,
    PORT_STATS_COLUMNS,
    Alert,
    AlertRule,
    Device,
    Port,
    PortStats,
)
from noc_tui.api.listing import Listing, unique_ids

#: `type=` values of `GET /devices` that need no `query`.
# The server filters: `down` and `up` leave out disabled and ignored devices, `active` is
# every device neither disabled nor ignored.
DEVICE_TYPES: tuple[str, ...] = ("all", "active", "up", "down", "disabled", "ignored")
#: `type=` values that filter by `query`.
DEVICE_QUERY_TYPES: tuple[str, ...] = ("ipv4", "ipv6", "mac", "hostname", "os", "location")


class LibreNmsClient(ApiClient):
    kind = "librenms"

    @property
    def server_zone(self) -> tzinfo:
        """Where LibreNMS's zone-less timestamps hang: the `timezone` setting, UTC without it."""
        name = self.settings.timezone
        if not name:
            return zoneinfo.ZoneInfo("UTC")
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # config checks it; belt and braces
            return zoneinfo.ZoneInfo("UTC")

    def make_auth(self) -> Auth:
        if self.settings.token:
            return HeaderAuth("X-Auth-Token", self.settings.token)
        return NoAuth()

    async def ping(self) -> PingResult:
        """`/system` needs a token and names the version (which decides row shapes later)."""
        body = self.require_dict(await self.session.get_json("/api/v0/system"), "system")
        rows = body.get("system")
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            raise self.malformed("system answer without a system row")
        version = rows[0].get("local_ver") or "unknown version"
        return PingResult(self.name, f"LibreNMS {version}")

    # -- shared readers --------------------------------------------------------------

    async def _ok(self, path: str, params: dict[str, Any] | None, what: str) -> dict[str, Any]:
        """GET a `{"status": "ok", ...}` envelope; `status: error` on a 200 is a server error."""
        body = self.require_dict(await self.session.get_json(path, params), what)
        if body.get("status") == "error":
            raise self.session.fail(ServerError(self.name, str(body.get("message") or what)))
        return body

    def _rows(self, body: dict[str, Any], key: str, what: str) -> list[dict[str, Any]]:
        rows = body.get(key)
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise self.malformed(f"{what}: `{key}` is not a list")
        return [row for row in rows if isinstance(row, dict)]

    # -- alerts ----------------------------------------------------------------------

    async def alerts(
        self,
        states: Iterable[int] = ALL_STATES,
        severity: str | None = None,
        device: str | int | None = None,
    ) -> Listing[Alert]:
        """Alerts in the given states: always sent, since the server's default is state 1 only."""
        params: dict[str, Any] = {"state": ",".join(str(s) for s in states)}
        if severity:
            params["severity"] = severity
        if device is not None:
            params["device"] = str(device)
        body = await self._ok("/api/v0/alerts", params, "alerts")
        return unique_ids(Alert.parse(row) for row in self._rows(body, "alerts", "alerts"))

    async def alert(self, alert_id: int) -> Alert:
        params = {"state": ",".join(str(s) for s in ALL_STATES)}
        body = await self._ok(f"/api/v0/alerts/{int(alert_id)}", params, "alert")
        rows = self._rows(body, "alerts", "alert")
        if not rows:
            raise NotFound(self.name, f"alert {alert_id} is gone")
        return Alert.parse(rows[0])

    async def acknowledge(
        self, alert_id: int, note: str, until_clear: bool = True, target: str = ""
    ) -> str:
        """Ack with a note. A 200 "No Alert by that ID" means nothing was acked: NotFound."""
        body = {"note": note, "until_clear": bool(until_clear)}
        return await self._alert_action(
            "ack alert", f"/api/v0/alerts/{int(alert_id)}", alert_id, target, body
        )

    async def unmute(self, alert_id: int, target: str = "") -> str:
        return await self._alert_action(
            "unmute alert", f"/api/v0/alerts/unmute/{int(alert_id)}", alert_id, target, None
        )

    async def _alert_action(
        self, action: str, path: str, alert_id: int, target: str, body: dict[str, Any] | None
    ) -> str:
        target = target or f"alert {alert_id}"
        extra: dict[str, Any] = {"json": body} if body is not None else {}
        response = await self.session.action(action, target, "PUT", path, **extra)
        answer = self.session.json(response)
        message = str(answer.get("message") or "") if isinstance(answer, dict) else ""
        status = answer.get("status") if isinstance(answer, dict) else None
        if "no alert by that id" in message.lower():
            await self.session.audit_outcome(action, target, "failed", message)
            raise NotFound(self.name, f"alert {alert_id} no longer exists")
        if status != "ok":
            detail = message or "the server did not confirm"
            await self.session.audit_outcome(action, target, "failed", detail)
            raise ServerError(self.name, detail)
        return message

    async def rules(self) -> Listing[AlertRule]:
        body = await self._ok("/api/v0/rules", None, "rules")
        return unique_ids(AlertRule.parse(row) for row in self._rows(body, "rules", "rules"))

    async def rule(self, rule_id: int) -> AlertRule:
        body = await self._ok(f"/api/v0/rules/{int(rule_id)}", None, "rule")
        rows = self._rows(body, "rules", "rule")
        if not rows:
            raise NotFound(self.name, f"rule {rule_id}")
        return AlertRule.parse(rows[0])

    # -- devices and ports -----------------------------------------------------------

    async def devices(self, type_: str = "all", query: str | None = None) -> Listing[Device]:
        if type_ not in DEVICE_TYPES + DEVICE_QUERY_TYPES:
            raise BadArgument(f"unknown device filter {type_!r}")
        params: dict[str, Any] = {"type": type_}
        if query is not None:
            params["query"] = query
        body = await self._ok("/api/v0/devices", params, "devices")
        rows = self._rows(body, "devices", "devices")
        if len(rows) > THREAD_ROWS:  # 50,000 rows take a second to parse: not on the loop
            return await asyncio.to_thread(_devices, rows)
        return _devices(rows)

    async def device(self, host: str | int) -> Device:
        body = await self._ok(f"/api/v0/devices/{_seg(host)}", None, "device")
        rows = body.get("devices")
        row = rows[0] if isinstance(rows, list) and rows else body.get("device")
        if not isinstance(row, dict):
            raise NotFound(self.name, f"device {host}")
        return Device.parse(row)

    async def ports(self, host: str | int) -> Listing[Port]:
        """A device's ports. A device without ports answers 404 "No ports found": empty list."""
        params = {"columns": ",".join(PORT_COLUMNS)}
        try:
            body = await self._ok(f"/api/v0/devices/{_seg(host)}/ports", params, "ports")
        except NotFound as error:
            if "no ports" in error.detail.lower():
                return Listing()
            raise
        return unique_ids(Port.parse(row) for row in self._rows(body, "ports", "ports"))

    async def port_stats(self, host: str | int, if_name: str) -> PortStats:
        """One port at LibreNMS's last poll; its rates only change when `poll_time` does."""
        path = f"/api/v0/devices/{_seg(host)}/ports/{_seg(if_name)}"
        params = {"columns": ",".join(PORT_STATS_COLUMNS)}
        body = await self._ok(path, params, "port")
        row = body.get("port")
        if isinstance(row, list):
            row = row[0] if row else None
        if not isinstance(row, dict):
            raise self.malformed("port answer without a port")
        if not row.get("ifName") and not row.get("port_id") and not row.get("poll_time"):
            # Older releases answer an unknown port with 200 and the computed fields only.
            raise NotFound(self.name, f"port {if_name} does not exist on {host}")
        return PortStats.parse(row)


def _seg(value: str | int) -> str:
    """One path segment: interface names hold `/` (xe-0/0/0)."""
    return segment(value)


THREAD_ROWS = 2_000  # a device list longer than this is parsed in a worker thread


def _devices(rows: list[dict[str, Any]]) -> Listing[Device]:
    return unique_ids(Device.parse(row) for row in rows)
