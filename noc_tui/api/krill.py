"""Krill (Phicus) CPE inventory and monitoring: JSON REST under /api/v2/."""

from __future__ import annotations

from noc_tui.api.auth import Auth, HeaderAuth, LoginAuth
from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.errors import AuthFailed

CPES_PATH = "/api/v2/isp/cpes/"


class KrillClient(ApiClient):
    kind = "krill"

    def make_auth(self) -> Auth:
        if self.settings.token:
            return HeaderAuth("Authorization", self.settings.token, prefix="Bearer ")
        return LoginAuth(self._login)

    async def _login(self) -> str:
        """Post the login form; Krill answers {"access": <JWT>}."""
        settings = self.settings
        password = settings.password.reveal() if settings.password else ""
        response = await self.session.request(
            "POST",
            settings.login_path,
            data={"username": settings.username or "", "password": password},
            authenticated=False,
            is_login=True,
        )
        body = self.session.json(response)
        access = body.get("access") if isinstance(body, dict) else None
        if not isinstance(access, str) or not access:
            raise self.session.fail(AuthFailed(self.name, "login answered without an access token"))
        return access

    async def ping(self) -> PingResult:
        body = await self.session.get_json(CPES_PATH, {"limit": 1, "attrs": "id"})
        count = self.require_dict(body, "CPE list").get("count")
        if not isinstance(count, int):
            raise self.malformed("CPE list without a count")
        return PingResult(self.name, f"{count} CPEs")
