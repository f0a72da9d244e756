"""Contract tests: the doc and research samples parse into the models exactly; verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from noc_tui.api.krill import search_queries
from noc_tui.api.krill_models import (
    Reading,
    Thresholds,
    Verdict,
    parse_cpe,
    parse_datasets,
    parse_graphs,
    parse_host,
    parse_info,
    parse_reading,
)
from noc_tui.api.krill_values import normalise_mac, normalise_serial, vendor_serial

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "krill"
# The JSON blocks of Krill's Postman samples, in the document's order.
POSTMAN = FIXTURES / "postman"


def fixture(name: str):  # type: ignore[no-untyped-def]
    return json.loads((FIXTURES / name).read_text())


def postman_blocks() -> list[str]:
    count = len(list(POSTMAN.glob("sample-*.json")))
    return [(POSTMAN / f"sample-{i}.json").read_text() for i in range(count)]


def test_doc_cpe_sample_parses_exactly() -> None:
    listing = json.loads(postman_blocks()[0])
    cpe = parse_cpe(listing["results"][0])
    assert cpe is not None
    assert (cpe.id, cpe.name, cpe.serial, cpe.model, cpe.tech, cpe.realm) == (
        585,
        "pim0585",
        "48575443614711a7",
        "HS8145V",
        "gpon",
        "pim",
    )
    assert cpe.vendor_serial == "HWTC614711a7"
    assert cpe.customer_id == 848 and cpe.customer is None
    assert cpe.actions["diagnostic"] == "/api/v2/isp/cpes/585/cwmp_diagnostic"
    assert cpe.links["info"] == "/api/v2/isp/cpes/585/info"
    assert cpe.mac is None and cpe.address is None  # "" is missing, not an address


def test_joins_sample_inlines_customer_and_pots() -> None:
    cpe = parse_cpe(fixture("isp_cpe_attrs_joins.json"))
    assert cpe is not None and cpe.customer is not None
    assert cpe.customer.name == "Ana Ejemplo Prueba"
    assert cpe.customer.address == "Calle Inventada 12 2B, 30000, Villanueva del Ejemplo"
    assert [(p.number, p.line_id) for p in cpe.pots] == [("968000111", "cpe1207-1")]


def test_links_without_isp_prefix_are_kept_as_given() -> None:
    page = fixture("isp_cpes_page_links_without_isp_prefix.json")
    cpe = parse_cpe(page["results"][0])
    assert cpe is not None and cpe.actions["reboot"] == "/api/v2/cpes/119/reboot"


def test_doc_info_sample_parses_with_verdicts() -> None:
    info = parse_info(json.loads(postman_blocks()[1]))
    assert info.online and info.uptime_seconds == 14042 and info.ips == ("10.8.33.14",)
    assert info.registration.olt == "oltHuawei" and info.registration.pon == "0/5/14-2"
    assert [a.level for a in info.alarms] == ["warning"]
    dnrx = info.reading("dnrx")
    assert dnrx is not None and dnrx.value == -22.14 and dnrx.unit == "dBm"
    assert dnrx.thresholds.values == (-29, -27, -11, -8) and dnrx.verdict is Verdict.OK
    uptx = info.reading("uptx")
    assert uptx is not None and uptx.verdict is Verdict.UNCHECKED
    dnatt = info.reading("dnatt")  # only in the output line
    assert dnatt is not None and dnatt.value == 22.14
    assert [(p.user_vlan, p.service_vlan, p.inbound) for p in info.service_ports] == [
        (1023, 833, "management"),
        (1021, 831, "100M"),
    ]
    assert info.down_kbps == 0 and info.distance_m is None


def test_research_info_sample() -> None:
    info = parse_info(fixture("monitoring_cpe_info_online.json"))
    assert info.distance_m == 1843 and info.down_kbps == 1250.4
    upatt = info.reading("upatt")
    assert upatt is not None and upatt.verdict is Verdict.OK


def test_offline_ont_shapes_are_missing_not_values() -> None:
    info = parse_info(
        {
            "state": "down",
            "ips": ["0.0.0.0"],
            "uptime": None,
            "distance": -1,
            "registration": {
                "host": "__reghost__",
                "id": "__regid__",
                "states": ["__regstate__"],
                "tags": ["__regtags__"],
            },
            "services": {
                "txrx": {
                    "output": "Offline!",
                    "perfdatas": [
                        {
                            "metric": "dnrx",
                            "value": None,
                            "thresholds": [-29, -27, -11, -8],
                            "min": -49,
                            "max": 5,
                        },
                        {
                            "metric": "upatt",
                            "value": -1.0,
                            "thresholds": [26, 46],
                            "min": 1,
                            "max": 60,
                        },
                        {"metric": "uprx", "value": "n/a", "thresholds": [], "min": -49, "max": 5},
                    ],
                }
            },
        }
    )
    assert not info.online and info.ips == () and info.distance_m is None
    assert info.registration.olt is None and info.registration.states == ()
    assert info.reading("dnrx").verdict is Verdict.NO_VALUE  # type: ignore[union-attr]
    assert info.reading("upatt").verdict is Verdict.IMPLAUSIBLE  # type: ignore[union-attr]
    assert info.reading("uprx").value is None  # type: ignore[union-attr]


def test_anything_parses_without_crashing() -> None:
    for junk in (
        None,
        [],
        "x",
        3,
        {"services": []},
        {"services": {"txrx": {"perfdatas": [1, None]}}},
        {"alarms": "none", "tech": {"service_ports": [None]}},
    ):
        parse_info(junk)
        parse_host(junk)
        parse_graphs(junk, None)
        parse_datasets(junk)
    assert parse_cpe({"cpename": "no id"}) is None


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        (-30, Verdict.CRITICAL),
        (-28, Verdict.WARNING),
        (-20, Verdict.OK),
        (-27, Verdict.OK),
        (-10, Verdict.WARNING),
        (-7, Verdict.CRITICAL),
        (-11, Verdict.OK),
    ],
)
def test_four_value_thresholds(value: float, verdict: Verdict) -> None:
    assert Thresholds((-29, -27, -11, -8)).verdict(value) is verdict


@pytest.mark.parametrize(
    ("value", "verdict"), [(20, Verdict.OK), (30, Verdict.WARNING), (50, Verdict.CRITICAL)]
)
def test_two_value_rising_thresholds(value: float, verdict: Verdict) -> None:
    assert Thresholds((26, 46)).verdict(value) is verdict


def test_two_value_falling_and_none() -> None:
    assert Thresholds((10, 5)).verdict(7) is Verdict.WARNING
    assert Thresholds((10, 5)).verdict(4) is Verdict.CRITICAL
    assert Thresholds(()).verdict(3) is Verdict.UNCHECKED


def test_outside_min_max_is_implausible() -> None:
    assert (
        Reading("dnrx", 9.0, "dBm", Thresholds((-29, -27, -11, -8)), -49, 5).verdict
        is Verdict.IMPLAUSIBLE
    )


def test_search_perfdata_shape() -> None:
    reading = parse_reading(
        {
            "name": "dnrx",
            "value": "-9.5",
            "uom": "",
            "warning": -11,
            "critical": -8,
            "min": -49,
            "max": 5,
        }
    )
    assert reading is not None and reading.value == -9.5
    assert reading.thresholds.values == (-11, -8) and reading.verdict is Verdict.WARNING


def test_host_sample() -> None:
    host = parse_host(fixture("monitoring_host.json"))
    assert host.state == "up" and "reboot" in host.allowed_actions
    assert host.customer_name == "Ana Ejemplo Prueba" and host.potses == ("968000111",)


def test_graphs_and_datasets_samples() -> None:
    graphs = parse_graphs(fixture("monitoring_graphs_txrx.json"), "txrx")
    assert [g.metrics[0].metric for g in graphs] == [
        "dnrx",
        "uprx",
        "uptx",
        "dnatt",
        "upatt",
        "pondesv",
    ]
    bandwidth = parse_graphs(fixture("monitoring_graphs_host_bandwidth.json"), None)
    assert [m.metric for m in bandwidth[0].metrics] == ["dnbw", "upbw"]
    series = parse_datasets(fixture("monitoring_datasets_response.json"))
    assert set(series) == {"dnrx", "uprx"}
    assert len(series["dnrx"].points) == 6 and series["dnrx"].points[0][1] == -21.38
    assert series["dnrx"].points[1][0] - series["dnrx"].points[0][0] == 4 * 3600


@pytest.mark.parametrize(
    "typed", ["HWTC614711a7", "hwtc614711A7", "48575443614711A7", " 48575443614711a7 "]
)
def test_serial_normalisation(typed: str) -> None:
    assert normalise_serial(typed) == "48575443614711a7"
    assert vendor_serial("48575443614711a7") == "HWTC614711a7"


def test_search_queries() -> None:
    assert search_queries("  ") == []
    keys = [list(q)[0] for q in search_queries("HWTC614711a7")]
    assert keys[0] == "sn" and "cpename" in keys and "pppoe_username" in keys
    assert {"mac": "aa:bb:cc:dd:ee:ff"} in search_queries("AA-BB-CC-DD-EE-FF")
    assert normalise_mac("aabb.ccdd.eeff") == "aa:bb:cc:dd:ee:ff"
    assert search_queries("48575443614711A7") == [{"sn": "48575443614711a7"}]  # only a serial
    name_like = search_queries("bgt12345")  # a name, or a DOCSIS serial as typed
    assert {"cpename": "bgt12345"} in name_like and {"sn": "bgt12345"} in name_like
