"""Krill (Phicus) CPE inventory and monitoring: JSON REST under /api/v2/."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from noc_tui.api.auth import Auth, HeaderAuth, LoginAuth
from noc_tui.api.base import ApiClient, PingResult
from noc_tui.api.errors import AuthFailed, BackendError, NotFound
from noc_tui.api.http import segment
from noc_tui.api.krill_models import (
    Cpe,
    Graph,
    HostInfo,
    MonitoringInfo,
    Series,
    parse_cpe,
    parse_datasets,
    parse_graphs,
    parse_host,
    parse_info,
)
from noc_tui.api.krill_values import as_dict, as_list, integer, normalise_mac, normalise_serial
from noc_tui.config import header_safe

CPES_PATH = "/api/v2/isp/cpes/"
INFO_PATH = "/api/v2/monitoring/cpes/{id}/info"
HOST_PATH = "/api/v2/monitoring/hosts/{name}"
GRAPHS_PATH = "/api/v2/monitoring/graphs/"
DATASETS_PATH = "/api/v2/monitoring/datasets/"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# What the results table needs; `_links` for the actions, customer joined for its name.
LIST_ATTRS = (
    "id,cpename,sn,model,tech,realm,customer,external_id,internal_id,mac,pppoe_username,_links"
)
TEXT_FILTERS = ("cpename", "external_id", "internal_id", "pppoe_username", "realm")
# Every action's words for the operator and whether it needs the CPE's name typed.
ACTIONS: dict[str, tuple[str, bool]] = {
    "reboot": ("Reboot: the ONT restarts, service drops for about a minute", False),
    "reprovision": ("Reprovision: service-ports removed and added again on the OLT", False),
    "reconfig": ("Reconfig: the ONT is reconfigured through an ACS (TR-069) session", False),
    "diagnostic": ("Diagnostic: a TR-069 diagnostic run", False),
    "unprovision": (
        "Unprovision: the ONT's service-ports are removed, the customer loses service",
        True,
    ),
    "factory": ("Factory reset: the ONT loses its configuration", True),
}


@dataclass(frozen=True)
class CpePage:
    """One page of one query: the CPEs, the total it announced and the next page's link."""

    cpes: tuple[Cpe, ...]
    count: int
    next: str | None


@dataclass(frozen=True)
class SearchResult:
    """The merged answer to one search box entry (several queries, no duplicates)."""

    text: str
    cpes: tuple[Cpe, ...]
    total: int  # sum of the queries' counts (an upper bound once merged)
    more: tuple[str, ...]  # `next` links still to follow
    errors: tuple[BackendError, ...] = ()


@dataclass(frozen=True)
class ActionOutcome:
    action: str
    status: str  # "queued" or "done", from the answer when it says
    message: str


class KrillClient(ApiClient):
    kind = "krill"

    def make_auth(self) -> Auth:
        if self.settings.token:
            return HeaderAuth("Authorization", self.settings.token, prefix="Bearer ")
        return LoginAuth(self._login)

    def query_paths(self) -> tuple[str, ...]:
        return (DATASETS_PATH,)

    def login_paths(self) -> tuple[str, ...]:
        return (self.settings.login_path,)

    async def _login(self) -> str:
        """Post the login form; Krill answers {"access": <JWT>}."""
        settings = self.settings
        password = settings.password.reveal() if settings.password else ""
        response = await self.session.request(
            "POST",
            settings.login_path,
            data={"username": settings.username or "", "password": password},
            authenticated=False,
        )
        body = self.session.json(response)
        access = body.get("access") if isinstance(body, dict) else None
        if not isinstance(access, str) or not access:
            raise self.session.fail(AuthFailed(self.name, "login answered without an access token"))
        if not header_safe(access):  # it goes back in a header, which takes ASCII only
            raise self.malformed("login answered a token an HTTP header cannot carry")
        return access

    async def ping(self) -> PingResult:
        body = await self.session.get_json(CPES_PATH, {"limit": 1, "attrs": "id"})
        count = self.require_dict(body, "CPE list").get("count")
        if not isinstance(count, int):
            raise self.malformed("CPE list without a count")
        return PingResult(self.name, f"{count} CPEs")

    @property
    def page_size(self) -> int:
        size = self.settings.page_size or DEFAULT_PAGE_SIZE
        return max(1, min(size, MAX_PAGE_SIZE))

    # -- inventory -------------------------------------------------------------------------

    async def list_cpes(self, filters: dict[str, str], *, joins: str = "customer") -> CpePage:
        params = {**filters, "attrs": LIST_ATTRS, "limit": self.page_size, "offset": 0}
        if joins:
            params["joins"] = joins
        return self._page(await self.session.get_json(CPES_PATH, params))

    async def next_page(self, link: str) -> CpePage:
        """Follow a `next` link: absolute on an internal host or relative, both re-based."""
        return self._page(await self.session.get_json(link))

    def _page(self, body: Any) -> CpePage:
        page = self.require_dict(body, "CPE list")
        cpes = tuple(c for c in (parse_cpe(r) for r in as_list(page.get("results"))) if c)
        count = integer(page.get("count"))
        nxt = page.get("next")
        return CpePage(
            cpes,
            count if count is not None else len(cpes),
            nxt if isinstance(nxt, str) and nxt else None,
        )

    async def search(self, text: str) -> SearchResult:
        """Every identifier query the text could be, concurrently, merged by CPE id."""
        queries = search_queries(text)
        if not queries:
            return SearchResult(text, (), 0, ())
        answers = await asyncio.gather(
            *(self.list_cpes(q) for q in queries), return_exceptions=True
        )
        pages = [a for a in answers if isinstance(a, CpePage)]
        errors = tuple(a for a in answers if isinstance(a, BackendError))
        unexpected = [
            a for a in answers if isinstance(a, BaseException) and not isinstance(a, BackendError)
        ]
        if unexpected:
            raise unexpected[0]
        if not pages and errors:
            raise errors[0]
        return SearchResult(
            text,
            merge(p.cpes for p in pages),
            sum(p.count for p in pages),
            tuple(p.next for p in pages if p.next),
            errors,
        )

    async def cpe(self, cpe_id: int, joins: str = "customer,potses") -> Cpe:
        body = await self.session.get_json(f"{CPES_PATH}{cpe_id}/", {"joins": joins})
        cpe = parse_cpe(self.require_dict(body, "CPE"))
        if cpe is None:
            raise self.malformed("CPE without an id")
        return cpe

    # -- monitoring ------------------------------------------------------------------------

    async def info(self, cpe_id: int) -> MonitoringInfo:
        body = await self.session.get_json(INFO_PATH.format(id=cpe_id))
        return parse_info(self.require_dict(body, "monitoring info"))

    async def host(self, host_name: str) -> HostInfo:
        body = await self.session.get_json(HOST_PATH.format(name=segment(host_name)))
        return parse_host(self.require_dict(body, "monitoring host"))

    async def graphs(self, host_name: str, service: str | None = None) -> tuple[Graph, ...]:
        params = {"host_name": host_name}
        if service:
            params["service_name"] = service
        body = await self.session.get_json(GRAPHS_PATH, params)
        return parse_graphs(self.require_dict(body, "graph list"), service)

    async def datasets(
        self, host_name: str, graphs: tuple[Graph, ...], start: str, end: str = "0m"
    ) -> dict[str, Series]:
        """History for every metric of `graphs`, one POST per service (Krill's own grouping)."""
        by_service: dict[str | None, list[dict[str, Any]]] = {}
        for graph in graphs:
            for m in graph.metrics:
                by_service.setdefault(m.service, []).append(
                    {
                        "host_name": host_name,
                        "service_name": m.service,
                        "measurement": m.measurement,
                        "metric": m.metric,
                    }
                )
        out: dict[str, Series] = {}
        for service, metrics in by_service.items():
            body = {
                "host_name": host_name,
                "service_name": service,
                "start": start,
                "end": end,
                "metrics": metrics,
            }
            # A POST that only reads history: allowed in read-only mode (the wallboard's).
            response = await self.session.request("POST", DATASETS_PATH, json=body)
            body = await self.session.decoded_json(response)
            out.update(parse_datasets(self.require_dict(body, "datasets")))
        return out

    # -- actions ---------------------------------------------------------------------------

    def offered_actions(self, cpe: Cpe, host: HostInfo | None) -> list[str]:
        """The CPE's own action links, narrowed to what its monitoring host allows."""
        allowed = set(host.allowed_actions) if host and host.allowed_actions else None
        return [a for a in ACTIONS if a in cpe.actions and (allowed is None or a in allowed)]

    async def run_action(self, cpe: Cpe, action: str) -> ActionOutcome:
        """Follow the link the server gave (two path styles exist), sent once and audited."""
        link = cpe.actions.get(action)
        if not link:
            raise NotFound(self.name, f"no {action} link on CPE {cpe.name}")
        method = self.settings.action_method
        target = f"CPE {cpe.name} (id {cpe.id})"
        response = await self.session.action(action, target, method, link)
        body: dict[str, Any] = {}
        if response.content and "json" in response.headers.get("content-type", ""):
            body = as_dict(self.session.json(response))
        status = str(body.get("status") or ("queued" if response.status_code == 202 else "done"))
        message = str(body.get("detail") or f"{action} {status}")
        return ActionOutcome(action, status, message)


def search_queries(text: str) -> list[dict[str, str]]:
    """The queries a search box entry stands for: a serial, a MAC, or any text identifier."""
    shown = text.strip()
    if not shown:
        return []
    queries: list[dict[str, str]] = []
    serial = normalise_serial(shown)
    mac = normalise_mac(shown)
    if serial:
        queries.append({"sn": serial})
    if mac:
        queries.append({"mac": mac})
    if serial and len(shown) == 16:
        return queries  # 16 hex digits are a GPON serial: no name or user looks like that
    if not serial and shown.isalnum() and 8 <= len(shown) <= 24:
        queries.append({"sn": shown})  # DOCSIS and other vendors' serials, as typed
    return queries + [{key: shown} for key in TEXT_FILTERS]


def merge(pages: Any) -> tuple[Cpe, ...]:
    seen: dict[int, Cpe] = {}
    for cpes in pages:
        for cpe in cpes:
            seen.setdefault(cpe.id, cpe)
    return tuple(seen.values())
