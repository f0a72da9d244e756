"""OpenWISP controller devices: JSON REST under /api/v1/, bearer token auth."""

from __future__ import annotations

from noc_tui.api.auth import Auth, HeaderAuth, LoginAuth
from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.errors import AuthFailed, ServerError

DEVICES_PATH = "/api/v1/controller/device/"
TOKEN_PATH = "/api/v1/users/token/"


class OpenWispClient(ApiClient):
    kind = "openwisp"

    def make_auth(self) -> Auth:
        if self.settings.token:
            return HeaderAuth("Authorization", self.settings.token, prefix="Bearer ")
        return LoginAuth(self._obtain_token)

    async def _obtain_token(self) -> str:
        """Exchange username/password for the user's token (throttled to 20 a day upstream)."""
        settings = self.settings
        password = settings.password.reveal() if settings.password else ""
        try:
            response = await self.session.request(
                "POST",
                TOKEN_PATH,
                data={"username": settings.username or "", "password": password},
                authenticated=False,
                is_login=True,
            )
        except ServerError as error:
            if error.status == 400:  # DRF's "Unable to log in with provided credentials."
                raise self.session.fail(AuthFailed(self.name, error.detail)) from None
            raise
        token = self.session.json(response)
        token = token.get("token") if isinstance(token, dict) else None
        if not isinstance(token, str) or not token:
            raise self.session.fail(AuthFailed(self.name, "token endpoint answered without a token"))
        return token

    async def ping(self) -> PingResult:
        body = await self.session.get_json(DEVICES_PATH, {"page_size": 1})
        count = self.require_dict(body, "device list").get("count")
        if not isinstance(count, int):
            raise self.malformed("device list without a count")
        return PingResult(self.name, f"{count} devices")
