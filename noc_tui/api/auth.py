"""How each backend proves who we are: a header per request, and re-login on a 401."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Protocol

from noc_tui.secret import Secret, register, register_basic

# Obtains a fresh credential (for example by posting a login form); raises AuthFailed.
LoginFn = Callable[[], Awaitable[str]]


class Auth(Protocol):
    async def headers(self) -> dict[str, str]:
        """Headers to add to the next request."""
        ...

    async def renew(self) -> bool:
        """Try to get a fresh credential after a 401; False when there is nothing to renew."""
        ...


class NoAuth:
    async def headers(self) -> dict[str, str]:
        return {}

    async def renew(self) -> bool:
        return False


class HeaderAuth:
    """A static credential in one header: `X-Auth-Token: t` or `Authorization: Bearer t`."""

    def __init__(self, header: str, secret: Secret, prefix: str = "") -> None:
        self._header = header
        self._secret = secret
        self._prefix = prefix

    async def headers(self) -> dict[str, str]:
        return {self._header: f"{self._prefix}{self._secret.reveal()}"}

    async def renew(self) -> bool:
        return False


class BasicAuth:
    def __init__(self, username: str, password: Secret) -> None:
        raw = f"{username}:{password.reveal()}".encode()
        self._value = "Basic " + base64.b64encode(raw).decode()
        register_basic(username, password.reveal())

    async def headers(self) -> dict[str, str]:
        return {"Authorization": self._value}

    async def renew(self) -> bool:
        return False


class LoginAuth:
    """A bearer token obtained by logging in, renewed once when the backend says 401.

    One login at a time, shared: requests that need a token while a login is under way wait
    for that login and share its outcome. A login that fails fails them all together, rather
    than each trying again in turn (five searches behind a slow login would take five
    timeouts)."""

    def __init__(self, login: LoginFn, prefix: str = "Bearer ") -> None:
        self._login = login
        self._prefix = prefix
        self._token: str | None = None
        self._pending: asyncio.Future[str] | None = None

    async def headers(self) -> dict[str, str]:
        token = self._token if self._token is not None else await self._fetch()
        return {"Authorization": f"{self._prefix}{token}"}

    async def renew(self) -> bool:
        self._token = None
        await self._fetch()
        return True

    async def _fetch(self) -> str:
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._log_in())
            self._pending.add_done_callback(self._forget)
        return await asyncio.shield(self._pending)

    async def _log_in(self) -> str:
        token = await self._login()
        register(token)
        self._token = token
        return token

    def _forget(self, done: asyncio.Future[str]) -> None:
        self._pending = None
        if not done.cancelled():
            done.exception()  # retrieved: its waiters have it, the loop need not warn
