"""What every API client shares: its session, its health and a cheap authenticated ping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from noc_tui.api.auth import Auth, NoAuth
from noc_tui.api.errors import MalformedResponse
from noc_tui.api.health import BackendHealth
from noc_tui.api.http import BackendSession, HttpPool
from noc_tui.api.translate import generic_message
from noc_tui.config import BackendSettings

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class PingResult:
    """The answer to "are you there and do you accept us?", in one short line."""

    backend: str
    summary: str


class ApiClient:
    """Base of the four clients: one backend, one session on the shared pool."""

    kind = ""

    def __init__(self, pool: HttpPool, settings: BackendSettings) -> None:
        self.settings = settings
        self.session: BackendSession = pool.session(
            settings,
            self.make_auth(),
            self.error_message,
            query_paths=self.query_paths(),
            login_paths=self.login_paths(),
        )

    def make_auth(self) -> Auth:
        return NoAuth()

    def query_paths(self) -> tuple[str, ...]:
        """Exact paths this API POSTs to only to read: sent in read-only mode, retried."""
        return ()

    def login_paths(self) -> tuple[str, ...]:
        """Exact paths this API POSTs credentials to: sent in read-only mode, once."""
        return ()

    def error_message(self, response: httpx.Response) -> str:
        """The server's own words from an error answer."""
        return generic_message(response)

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def health(self) -> BackendHealth:
        return self.session.health

    async def ping(self) -> PingResult:
        raise NotImplementedError

    def malformed(self, detail: str) -> MalformedResponse:
        error = MalformedResponse(self.name, detail)
        self.session.fail(error)
        return error

    def require_dict(self, body: Any, what: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise self.malformed(f"{what}: expected a JSON object")
        return body
