"""The Krill client against the lab over loopback HTTP, and against hand-made answers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import ActionRefused, NotFound
from noc_tui.api.krill import KrillClient
from noc_tui.api.krill_models import Verdict
from noc_tui.api.krill_values import vendor_serial
from noc_tui.audit import AuditLog
from noc_tui.config import Config


def krill(backends: Backends) -> KrillClient:
    client = backends.of_kind("krill")[0]
    assert isinstance(client, KrillClient)
    return client


def online_gpon(lab):  # type: ignore[no-untyped-def]
    world = lab.sim("krill").world
    return next(
        r
        for r in world.records
        if r["tech"] == "gpon"
        and r["id"] not in world.monitor.gone
        and world.monitor.optics(r)["state"] == "online"
        and r["voip_profile"]
    )


@pytest.mark.parametrize("form", ["vendor", "hex", "upper"])
async def test_search_by_serial_in_any_form(clean_lab, form: str) -> None:  # type: ignore[no-untyped-def]
    record = online_gpon(clean_lab)
    typed = {
        "vendor": vendor_serial(record["sn"]),
        "hex": record["sn"],
        "upper": record["sn"].upper(),
    }[form]
    backends = Backends(clean_lab.config())
    try:
        result = await krill(backends).search(typed)
    finally:
        await backends.aclose()
    assert [c.id for c in result.cpes] == [record["id"]]
    assert result.cpes[0].customer is not None  # joined for the results table


async def test_search_merges_queries_without_duplicates(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = online_gpon(clean_lab)  # cpename == internal_id: two queries find it
    backends = Backends(clean_lab.config())
    try:
        result = await krill(backends).search(record["cpename"])
    finally:
        await backends.aclose()
    assert [c.id for c in result.cpes] == [record["id"]]
    assert result.total >= 2


async def test_pagination_follows_next_to_the_end(clean_lab) -> None:  # type: ignore[no-untyped-def]
    world = clean_lab.sim("krill").world
    expected = [r["id"] for r in world.records if r["realm"] == "cpe"]
    config = clean_lab.config()
    settings = dataclasses.replace(config.backends[0], page_size=7)
    config = dataclasses.replace(config, backends=(settings, *config.backends[1:]))
    backends = Backends(config)
    try:
        client = krill(backends)
        page = await client.list_cpes({"realm": "cpe"})
        seen = [c.id for c in page.cpes]
        assert len(seen) == 7 and page.next and page.next.startswith("http://pre1:4280/")
        while page.next:
            page = await client.next_page(page.next)  # internal host, re-based on our URL
            seen += [c.id for c in page.cpes]
    finally:
        await backends.aclose()
    assert seen == expected and page.count == len(expected)


async def test_detail_monitoring_host_graphs_and_history(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = online_gpon(clean_lab)
    backends = Backends(clean_lab.config())
    try:
        client = krill(backends)
        cpe = await client.cpe(record["id"])
        info = await client.info(cpe.id)
        host = await client.host(cpe.host_name)
        graphs = await client.graphs(cpe.host_name, "txrx") + await client.graphs(cpe.host_name)
        day = await client.datasets(cpe.host_name, graphs, "24h")
        with pytest.raises(NotFound):
            await client.cpe(99_999_999)
    finally:
        await backends.aclose()
    assert cpe.customer is not None and cpe.pots
    assert info.online and info.ips and info.registration.olt
    dnrx, dnatt = info.reading("dnrx"), info.reading("dnatt")
    assert dnrx and dnatt and dnrx.verdict in (Verdict.OK, Verdict.WARNING, Verdict.CRITICAL)
    upatt, uptx, uprx = info.reading("upatt"), info.reading("uptx"), info.reading("uprx")
    assert upatt and uptx and uprx
    assert upatt.value == pytest.approx(uptx.value - uprx.value, abs=0.02)  # type: ignore[operator]
    assert "reboot" in host.allowed_actions
    assert {"dnrx", "uprx", "dnbw", "upbw"} <= set(day)
    points = day["dnrx"].points
    assert 60 <= len(points) <= 200 and all(-49 <= v <= 5 for _, v in points)


async def test_reboot_follows_the_link_and_is_audited(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = online_gpon(clean_lab)
    world = clean_lab.sim("krill").world
    audit = AuditLog(tmp_path / "audit.jsonl")
    backends = Backends(clean_lab.config(), audit=audit)
    try:
        client = krill(backends)
        cpe = await client.cpe(record["id"])
        outcome = await client.run_action(cpe, "reboot")
    finally:
        await backends.aclose()
    assert outcome.status == "queued"
    start, end, _ = world.monitor.down_until.pop(record["id"])
    world.monitor.booted.pop(record["id"], None)
    assert end > start
    (entry,) = audit.read()
    assert entry["action"] == "reboot" and entry["outcome"] == "ok"
    assert record["cpename"] in entry["target"]


async def test_read_only_refuses_before_sending(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = online_gpon(clean_lab)
    audit = AuditLog(tmp_path / "audit.jsonl")
    backends = Backends(clean_lab.config(), read_only=True, audit=audit)
    try:
        client = krill(backends)
        cpe = await client.cpe(record["id"])
        with pytest.raises(ActionRefused):
            await client.run_action(cpe, "factory")
    finally:
        await backends.aclose()
    assert [e["outcome"] for e in audit.read()] == ["refused"]
    assert record["id"] not in clean_lab.sim("krill").world.monitor.down_until


async def test_relative_next_links_and_other_link_styles(clean_lab) -> None:  # type: ignore[no-untyped-def]
    """Rubik-style relative `next`, and `/api/v2/cpes/` action links, through a mock Krill."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        if request.url.path == "/api/v2/auth/login":
            return httpx.Response(200, json={"access": "a.b.c"})
        if request.url.params.get("offset") == "2":
            return httpx.Response(
                200,
                json={
                    "count": 3,
                    "next": None,
                    "previous": None,
                    "results": [{"id": 3, "cpename": "c"}],
                },
            )
        if request.method == "PUT":
            return httpx.Response(200, json={})
        return httpx.Response(
            200,
            json={
                "count": 3,
                "next": "/api/v2/isp/cpes/?limit=2&offset=2",
                "previous": None,
                "results": [
                    {
                        "id": 1,
                        "cpename": "a",
                        "_links": {"actions": {"reboot": "/api/v2/cpes/1/reboot"}},
                    },
                    {"id": 2, "cpename": "b"},
                ],
            },
        )

    config: Config = clean_lab.config()
    settings = dataclasses.replace(
        config.backends[0], url="http://127.0.0.1:9", action_method="PUT"
    )
    config = dataclasses.replace(config, backends=(settings,))
    backends = Backends(config, transports={"http://127.0.0.1:9": httpx.MockTransport(answer)})
    try:
        client = krill(backends)
        page = await client.list_cpes({"realm": "x"})
        last = await client.next_page(page.next or "")
        outcome = await client.run_action(page.cpes[0], "reboot")
    finally:
        await backends.aclose()
    assert [c.id for c in last.cpes] == [3] and outcome.status == "done"
    assert seen[-1] == "PUT /api/v2/cpes/1/reboot?"


async def test_search_finds_a_docsis_serial(clean_lab) -> None:  # type: ignore[no-untyped-def]
    record = next(r for r in clean_lab.sim("krill").world.records if r["tech"] == "docsis")
    backends = Backends(clean_lab.config())
    try:
        result = await krill(backends).search(record["sn"].lower())
    finally:
        await backends.aclose()
    assert [c.id for c in result.cpes] == [record["id"]]


async def test_expired_login_is_renewed_once() -> None:
    """The lab's JWT lives 24 h on its clock: the next call logs in again by itself."""
    from noc_tui.clock import FrozenClock
    from noc_tui.sim import Lab
    from tests.ui.helpers import SNAPSHOT_PORTS, lab_config_on_fixed_ports

    clock = FrozenClock()
    lab = Lab(seed=2, cpes=30, clock=clock)
    config = lab_config_on_fixed_ports(lab)
    url = f"http://127.0.0.1:{SNAPSHOT_PORTS['krill']}"
    logins: list[str] = []
    inner = httpx.ASGITransport(app=lab.asgi_app("krill"))

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.startswith("/api/v2/auth/login"):
                logins.append(request.url.path)
            return await inner.handle_async_request(request)

    backends = Backends(config, clock=clock, transports={url: Counting()})
    try:
        client = krill(backends)
        await client.ping()
        clock.advance(25 * 3600)
        result = await client.search("cpe")
    finally:
        await backends.aclose()
    assert result.cpes and len(logins) == 2
