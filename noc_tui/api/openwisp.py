"""OpenWISP controller devices: JSON REST under /api/v1/, bearer token auth."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from noc_tui.api import strict_json
from noc_tui.api.auth import Auth, HeaderAuth, LoginAuth
from noc_tui.api.base import ApiClient, BadArgument, PingResult
from noc_tui.api.errors import AuthFailed, BackendError, NotFound, ServerError
from noc_tui.api.listing import Listing, unique_ids
from noc_tui.api.openwisp_models import (
    COUNTED_STATUSES,
    ConfigCounts,
    OpenWispCommand,
    OpenWispDevice,
    OpenWispGroup,
    OpenWispLocation,
    OpenWispOrganization,
    OpenWispTemplate,
)
from noc_tui.api.translate import generic_message
from noc_tui.config import header_safe
from noc_tui.lazy import LazyModule

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyModule("httpx")

DEVICES_PATH = "/api/v1/controller/device/"
GROUPS_PATH = "/api/v1/controller/group/"
TEMPLATES_PATH = "/api/v1/controller/template/"
ORGANIZATIONS_PATH = "/api/v1/users/organization/"
TOKEN_PATH = "/api/v1/users/token/"
PAGE_SIZE = 100  # the controller's cap: asking more silently gives 100
MAX_PAGES = 100  # a runaway `next` chain stops here
# The devices screen reads a fleet page by page as it shows it: 100,000 devices at most.
MAX_DEVICE_PAGES = 1_000
DEVICE_FILTERS = (
    "config__status",
    "config__backend",
    "organization",
    "organization_slug",
    "config__templates",
    "group",
    "with_geo",
    "created",
    "created__gte",
    "created__lt",
    "name",
    "mac_address",
    "location",
    "location__name",
)
M = TypeVar("M")
DELETE_ACTIVE = "deactivate the device first: OpenWISP only deletes deactivated devices"


class OpenWispClient(ApiClient):
    kind = "openwisp"

    def make_auth(self) -> Auth:
        if self.settings.token:
            return HeaderAuth("Authorization", self.settings.token, prefix="Bearer ")
        return LoginAuth(self._obtain_token)

    def login_paths(self) -> tuple[str, ...]:
        return (TOKEN_PATH,)

    def error_message(self, response: httpx.Response) -> str:
        """DRF bodies: `detail`, `non_field_errors`, or field errors ({"input": ["..."]})."""
        message = generic_message(response)
        if message or "json" not in response.headers.get("content-type", ""):
            return message
        try:
            body = strict_json.loads(response.content)
        except strict_json.Malformed:
            return ""
        if isinstance(body, dict):
            parts = []
            for field, value in body.items():
                if isinstance(value, list) and value:
                    value = value[0]
                if isinstance(value, str):
                    parts.append(f"{field}: {value}")
            return "; ".join(parts)
        return ""

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
            )
        except ServerError as error:
            if error.status == 400:  # DRF's "Unable to log in with provided credentials."
                raise self.session.fail(AuthFailed(self.name, error.detail)) from None
            raise
        token = self.session.json(response)
        token = token.get("token") if isinstance(token, dict) else None
        if not isinstance(token, str) or not token:
            raise self.session.fail(
                AuthFailed(self.name, "token endpoint answered without a token")
            )
        if not header_safe(token):  # it goes back in a header, which takes ASCII only
            raise self.malformed("token endpoint answered a token an HTTP header cannot carry")
        return token

    async def ping(self) -> PingResult:
        return PingResult(self.name, f"{await self.device_count()} devices")

    async def device_count(self, **filters: Any) -> int:
        """The server's count of devices matching the filters: one row read, not the fleet."""
        unknown = set(filters) - set(DEVICE_FILTERS)
        if unknown:
            raise BadArgument(f"unknown device filters: {sorted(unknown)}")
        params = {k: _param(v) for k, v in filters.items() if v not in (None, "")}
        body = await self.session.get_json(DEVICES_PATH, {**params, "page_size": 1})
        count = self.require_dict(body, "device list").get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise self.malformed("device list without a count")
        return count

    async def config_counts(self) -> ConfigCounts:
        """The fleet by config status, in four small answers (the total and three filters)."""
        total, *counts = await asyncio.gather(
            self.device_count(),
            *(self.device_count(config__status=status) for status in COUNTED_STATUSES),
        )
        return ConfigCounts(total, tuple(zip(COUNTED_STATUSES, counts, strict=True)))

    # -- reads ----------------------------------------------------------------------------

    async def _pages(
        self, path: str, params: Mapping[str, Any] | None, what: str, max_pages: int = MAX_PAGES
    ) -> AsyncIterator[Listing[dict[str, Any]]]:
        """Each page's rows as it comes, following `next` (absolute links built by the
        server), `max_pages` at most. Every page carries the count the first page announced;
        the last one says why reading stopped early (`stopped`), if it did: a chain that comes
        back to a page it gave, or runs past `max_pages`, is cut instead of read forever."""
        query: dict[str, Any] = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        query.setdefault("page_size", PAGE_SIZE)
        total: int | None = None
        followed: set[str] = set()
        url: str | None = path
        pages = 0
        while url is not None:
            body = self.require_dict(await self.session.get_json(url, query or None), what)
            pages += 1
            results = body.get("results")
            if not isinstance(results, list):
                raise self.malformed(f"{what} without results")
            count = body.get("count")
            if total is None and isinstance(count, int) and not isinstance(count, bool):
                total = count
            rows = [row for row in results if isinstance(row, dict)]
            following = body.get("next")
            url = following if isinstance(following, str) and following else None
            stopped = ""
            if url is not None and url in followed:
                stopped = f"the server's page chain loops back to a page it gave (page {pages})"
            elif url is not None and pages == max_pages:
                stopped = f"the page chain was cut after {max_pages} pages"
            yield Listing(rows, total=total, stopped=stopped)
            if stopped:
                return
            if url is not None:
                followed.add(url)
            query = {}  # the next link carries the whole query

    async def _all_pages(
        self, path: str, params: Mapping[str, Any] | None, what: str
    ) -> Listing[dict[str, Any]]:
        """Every page's rows in one list (see `_pages`), MAX_PAGES at most."""
        rows: list[dict[str, Any]] = []
        last: Listing[dict[str, Any]] = Listing()
        async for page in self._pages(path, params, what):
            rows.extend(page)
            last = page
        return Listing(rows, total=last.total, stopped=last.stopped)

    def _each_once(
        self, rows: Listing[dict[str, Any]], parse: Callable[[dict[str, Any]], M]
    ) -> Listing[M]:
        """Parse the rows; an id the pages gave twice (a page shifted under us) is kept once."""
        return unique_ids((parse(row) for row in rows), total=rows.total, stopped=rows.stopped)

    async def devices(self, **filters: Any) -> Listing[OpenWispDevice]:
        """All devices matching the documented filters (config__status="error", group=uuid...)."""
        unknown = set(filters) - set(DEVICE_FILTERS)
        if unknown:
            raise BadArgument(f"unknown device filters: {sorted(unknown)}")
        params = {k: _param(v) for k, v in filters.items()}
        rows = await self._all_pages(DEVICES_PATH, params, "device list")
        return self._each_once(rows, OpenWispDevice.parse)

    async def device_pages(
        self, filters: Mapping[str, Any] | None = None, max_pages: int = MAX_DEVICE_PAGES
    ) -> AsyncIterator[Listing[OpenWispDevice]]:
        """The devices matching the filters, a page at a time as the server sends them, so a
        screen can show the first rows of a big fleet at once. Each page carries the server's
        count of the whole; the last says why reading stopped, if it stopped early. An id a
        page repeats from an earlier one (the list shifted under us) is left out and counted."""
        filters = filters or {}
        unknown = set(filters) - set(DEVICE_FILTERS)
        if unknown:
            raise BadArgument(f"unknown device filters: {sorted(unknown)}")
        params = {k: _param(v) for k, v in filters.items()}
        seen: set[str] = set()
        async for page in self._pages(DEVICES_PATH, params, "device list", max_pages):
            devices = [OpenWispDevice.parse(row) for row in page]
            fresh = [d for d in devices if d.id not in seen]
            seen.update(d.id for d in fresh)
            repeated = len(devices) - len(fresh)
            yield Listing(fresh, repeated=repeated, total=page.total, stopped=page.stopped)

    async def device(self, device_id: str) -> OpenWispDevice:
        body = await self.session.get_json(f"{DEVICES_PATH}{device_id}/")
        return OpenWispDevice.parse(self.require_dict(body, "device"))

    async def groups(self) -> Listing[OpenWispGroup]:
        rows = await self._all_pages(GROUPS_PATH, None, "group list")
        return self._each_once(rows, OpenWispGroup.parse)

    async def organizations(self) -> Listing[OpenWispOrganization]:
        rows = await self._all_pages(ORGANIZATIONS_PATH, None, "organization list")
        return self._each_once(rows, OpenWispOrganization.parse)

    async def templates(self) -> Listing[OpenWispTemplate]:
        rows = await self._all_pages(TEMPLATES_PATH, None, "template list")
        return self._each_once(rows, OpenWispTemplate.parse)

    async def location(self, device_id: str) -> OpenWispLocation | None:
        """The device's location and coordinates; None when it has none (the API's 404)."""
        try:
            body = await self.session.get_json(f"{DEVICES_PATH}{device_id}/location/")
        except NotFound:
            return None
        return OpenWispLocation.parse(self.require_dict(body, "device location"))

    async def commands(self, device_id: str) -> Listing[OpenWispCommand]:
        path = f"{DEVICES_PATH}{device_id}/command/"
        return self._each_once(
            await self._all_pages(path, None, "command list"), OpenWispCommand.parse
        )

    async def command(self, device_id: str, command_id: str) -> OpenWispCommand:
        body = await self.session.get_json(f"{DEVICES_PATH}{device_id}/command/{command_id}/")
        return OpenWispCommand.parse(self.require_dict(body, "command"))

    async def follow(
        self, command: OpenWispCommand, *, every: float = 0.5, within: float = 60.0
    ) -> AsyncIterator[OpenWispCommand]:
        """Yield the command each time it is read, until it ends or `within` seconds pass
        (a command stuck in progress is the caller's to report, not an error here)."""
        clock = self.session.clock
        started = clock.now()
        current = command
        yield current
        while not current.done and clock.now() - started < within:
            await asyncio.sleep(every)
            current = await self.command(command.device, command.id)
            yield current

    # -- changes (read-only refusal + audit through session.action) ------------------------

    async def activate(self, device: OpenWispDevice) -> OpenWispDevice:
        return await self._switch(device, "activate")

    async def deactivate(self, device: OpenWispDevice) -> OpenWispDevice:
        return await self._switch(device, "deactivate")

    async def _switch(self, device: OpenWispDevice, verb: str) -> OpenWispDevice:
        path = f"{DEVICES_PATH}{device.id}/{verb}/"
        try:
            response = await self.session.action(f"{verb} device", device.name, "POST", path)
        except NotFound:  # the API's 404 when the device already is in that state
            state = "active" if verb == "activate" else "deactivated"
            raise NotFound(self.name, f"{device.name} is already {state} or gone") from None
        return OpenWispDevice.parse(self.require_dict(self.session.json(response), "device"))

    async def delete(self, device: OpenWispDevice) -> None:
        try:
            await self.session.action(
                "delete device", device.name, "DELETE", f"{DEVICES_PATH}{device.id}/"
            )
        except AuthFailed as error:
            if "deactivated prior to deletion" in error.detail:
                raise ServerError(self.name, DELETE_ACTIVE, 403) from None
            raise

    async def reboot(self, device: OpenWispDevice) -> OpenWispCommand:
        return await self._execute(device, {"type": "reboot", "input": None}, "reboot")

    async def run_command(self, device: OpenWispDevice, command: str) -> OpenWispCommand:
        body = {"type": "custom", "input": {"command": command}}
        return await self._execute(device, body, f"command {command!r}")

    async def _execute(
        self, device: OpenWispDevice, body: dict[str, Any], what: str
    ) -> OpenWispCommand:
        path = f"{DEVICES_PATH}{device.id}/command/"
        try:
            response = await self.session.action(
                f"run {what}", device.name, "POST", path, json=body
            )
        except AuthFailed as error:
            if device.is_deactivated:  # the 403 a deactivated device gives
                raise AuthFailed(self.name, f"{device.name} is deactivated: no commands") from None
            raise error
        return OpenWispCommand.parse(self.require_dict(self.session.json(response), "command"))


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


__all__ = ["OpenWispClient", "BackendError"]
