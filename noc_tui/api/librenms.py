"""LibreNMS alerts and devices: JSON REST under /api/v0/, `X-Auth-Token` auth."""

from __future__ import annotations

from noc_tui.api.auth import Auth, HeaderAuth, NoAuth
from noc_tui.api.base import ApiClient, PingResult


class LibreNmsClient(ApiClient):
    kind = "librenms"

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
