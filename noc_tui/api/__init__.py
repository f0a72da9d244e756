"""The client layer: HTTP to the four backends, typed models out. Imports nothing from Textual."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.http import HttpPool
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.krill import KrillClient
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.audit import AuditLog
from noc_tui.clock import SYSTEM_CLOCK, Clock
from noc_tui.config import Config

if TYPE_CHECKING:
    import httpx

CLIENT_CLASSES: dict[str, type[ApiClient]] = {
    "krill": KrillClient,
    "librenms": LibreNmsClient,
    "openwisp": OpenWispClient,
    "kalliope": KalliopeClient,
}


class Backends:
    """Every configured backend's client, on one shared HTTP pool."""

    def __init__(
        self,
        config: Config,
        *,
        read_only: bool | None = None,
        clock: Clock = SYSTEM_CLOCK,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.read_only = config.ui.read_only if read_only is None else read_only
        self.pool = HttpPool(
            config.backends,
            transports=transports,
            clock=clock,
            read_only=self.read_only,
            audit=audit,
        )
        self.audit = self.pool.audit
        self.clients: dict[str, ApiClient] = {
            b.name: CLIENT_CLASSES[b.kind](self.pool, b) for b in config.backends
        }

    def __iter__(self) -> Iterator[ApiClient]:
        return iter(self.clients.values())

    def of_kind(self, kind: str) -> list[ApiClient]:
        return [client for client in self.clients.values() if client.kind == kind]

    async def aclose(self) -> None:
        await self.pool.aclose()


__all__ = ["ApiClient", "Backends", "PingResult"]
