"""The lab's Krill monitoring: the research recipe's relations, offline shapes, actions' effects."""

from __future__ import annotations

import httpx
import pytest

from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab, krill

AUTH = {"Authorization": f"Bearer {krill.STATIC_TOKEN}"}


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    lab = Lab(seed=3, cpes=400, clock=clock)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=lab.asgi_app("krill")),
        base_url="http://krill.test",
        headers=AUTH,
    )
    return lab, clock, http


def gpon(lab, state: str = "online"):  # type: ignore[no-untyped-def]
    world = lab.sim("krill").world
    return [
        r
        for r in world.records
        if r["tech"] == "gpon" and world.monitor.optics(r)["state"] == state
    ]


async def test_optical_levels_keep_the_real_relations(frozen) -> None:  # type: ignore[no-untyped-def]
    lab, _, http = frozen
    dnrx_values = []
    for record in gpon(lab)[:60]:
        body = (await http.get(f"/api/v2/monitoring/cpes/{record['id']}/info")).json()
        values = {p["metric"]: p["value"] for p in body["services"]["txrx"]["perfdatas"]}
        assert values["upatt"] == pytest.approx(values["uptx"] - values["uprx"], abs=0.02)
        assert 1.7 <= values["uptx"] <= 3.7
        dnrx_values.append(values["dnrx"])
        assert body["state"] == "up" and body["ips"][0] != "0.0.0.0"
        assert "dnatt=" in body["services"]["txrx"]["output"]
    assert min(dnrx_values) > -36 and max(dnrx_values) < -7
    assert -25 < sum(dnrx_values) / len(dnrx_values) < -16  # path loss around 24 dB


async def test_offline_onts_answer_with_the_offline_shapes(frozen) -> None:  # type: ignore[no-untyped-def]
    lab, _, http = frozen
    los = gpon(lab, "los")[0]
    body = (await http.get(f"/api/v2/monitoring/cpes/{los['id']}/info")).json()
    assert body["state"] == "down" and body["ips"] == ["0.0.0.0"]
    assert body["registration"]["host"] == "__reghost__"
    values = {p["metric"]: p["value"] for p in body["services"]["txrx"]["perfdatas"]}
    assert values["dnrx"] is None and values["upatt"] == -1.0
    assert any("LOSi" in alarm["name"] for alarm in body["alarms"])


async def test_values_drift_with_time(frozen) -> None:  # type: ignore[no-untyped-def]
    lab, clock, http = frozen
    record = gpon(lab)[0]
    first = (await http.get(f"/api/v2/monitoring/cpes/{record['id']}/info")).json()
    clock.advance(3 * 3600)
    later = (await http.get(f"/api/v2/monitoring/cpes/{record['id']}/info")).json()
    assert first["services"]["txrx"]["output"] != later["services"]["txrx"]["output"]
    assert later["uptime"] == first["uptime"] + 3 * 3600
    assert first["dnbw"] != later["dnbw"]


async def test_reboot_then_back_online_with_uptime_reset(frozen) -> None:  # type: ignore[no-untyped-def]
    lab, clock, http = frozen
    record = gpon(lab)[1]
    links = (await http.get(f"/api/v2/isp/cpes/{record['id']}/")).json()["_links"]["actions"]
    answer = await http.post(links["reboot"])
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    clock.advance(10)
    assert (await http.get(f"/api/v2/monitoring/cpes/{record['id']}/info")).json()[
        "state"
    ] == "down"
    clock.advance(60)
    body = (await http.get(f"/api/v2/monitoring/cpes/{record['id']}/info")).json()
    assert body["state"] == "up" and body["uptime"] < 60


async def test_unprovision_is_gone_from_monitoring_on_both_link_styles(frozen) -> None:  # type: ignore[no-untyped-def]
    lab, _, http = frozen
    a, b = gpon(lab)[2:4]
    assert (await http.post(f"/api/v2/cpes/{a['id']}/unprovision")).status_code == 202
    assert (await http.post(f"/api/v2/isp/cpes/{b['id']}/unprovision")).status_code == 202
    for record in (a, b):
        assert (await http.get(f"/api/v2/monitoring/cpes/{record['id']}/info")).status_code == 404
        assert (
            await http.get(f"/api/v2/monitoring/hosts/{record['internal_id']}")
        ).status_code == 404
    assert (await http.post(f"/api/v2/isp/cpes/{a['id']}/explode")).status_code == 404


async def test_joins_graphs_and_datasets(frozen) -> None:  # type: ignore[no-untyped-def]
    lab, _, http = frozen
    record = next(r for r in gpon(lab) if r["voip_profile"])
    detail = (
        await http.get(
            f"/api/v2/isp/cpes/{record['id']}/", params={"joins": "=customer,potses", "attrs": "id"}
        )
    ).json()
    assert set(detail) == {"id", "customer", "potses"} and detail["customer"]["surname"]
    host = record["internal_id"]
    graphs = (
        await http.get(
            "/api/v2/monitoring/graphs/", params={"host_name": host, "service_name": "txrx"}
        )
    ).json()
    assert [g["datasets"][0]["metric"] for g in graphs["graphs"]][:2] == ["dnrx", "uprx"]
    request = {
        "host_name": host,
        "service_name": "txrx",
        "start": "7d",
        "end": "0m",
        "metrics": [
            {
                "host_name": host,
                "service_name": "txrx",
                "measurement": "check_txrx",
                "metric": "dnrx",
            }
        ],
    }
    series = (await http.post("/api/v2/monitoring/datasets/", json=request)).json()
    points = series[f"check_txrx__{host}__txrx__dnrx"]
    assert 100 <= len(points) <= 130 and points[0]["time"].endswith("Z")
    bad = await http.post("/api/v2/monitoring/datasets/", json={**request, "start": "soon"})
    assert bad.status_code == 400
