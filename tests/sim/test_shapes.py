"""`endless`, `duplicates` and `malformed=<kind>` over real HTTP: answers that parse (or
nearly) but are hostile in shape."""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab
from noc_tui.sim.answers import NUMBER_TOKENS
from noc_tui.sim.faults import BACKENDS
from tests.sim.helpers import PING, LabHttp, cdr_request

DEVICES = "/api/v1/controller/device/"
CPES = "/api/v2/isp/cpes/"


@pytest.fixture(scope="module")
def frozen() -> Iterator[tuple[Lab, FrozenClock]]:
    clock = FrozenClock()
    lab = Lab(seed=5, cpes=30, clock=clock)
    lab.start()
    yield lab, clock
    lab.stop()


@pytest.fixture
def http(frozen: tuple[Lab, FrozenClock]) -> Iterator[LabHttp]:
    with httpx.Client(timeout=30) as client:
        lab = LabHttp(frozen[0], client)
        yield lab
        lab.clear()


def since(clock: FrozenClock, hours: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(clock.now() - hours * 3600))


def rebased(link: str, http: LabHttp, backend: str) -> str:
    """Krill links name its internal host; a client re-bases them, as the console does."""
    return link.replace("http://pre1:4280", http.urls[backend])


# -- endless -------------------------------------------------------------------------------------


def test_openwisp_pages_never_end_and_carry_real_rows(http: LabHttp) -> None:
    every = {
        d["id"] for d in http.get("openwisp", DEVICES, params={"page_size": 100}).json()["results"]
    }
    http.faults("openwisp", "endless")
    link: str = http.urls["openwisp"] + DEVICES
    seen: list[str] = []
    for _ in range(12):  # 36 devices are 4 real pages of 10
        page = http.get("openwisp", link).json()
        assert page["results"] and {r["id"] for r in page["results"]} <= every
        assert page["next"] and page["next"] not in seen
        seen.append(page["next"])
        link = page["next"]
    assert link.endswith("page=13")


def test_openwisp_endless_loop_points_back_at_itself(http: LabHttp) -> None:
    http.faults("openwisp", "endless=loop")
    asked = http.urls["openwisp"] + "/api/v1/controller/group/?page_size=2"
    for _ in range(3):
        page = http.get("openwisp", asked).json()
        assert page["results"] and page["next"] == asked


def test_krill_cpe_search_pages_on_past_its_count(http: LabHttp) -> None:
    http.faults("krill", "endless")
    link = http.urls["krill"] + CPES + "?limit=10"
    ids: list[int] = []
    for _ in range(8):  # 30 CPEs are 3 pages
        page = http.get("krill", link).json()
        assert len(page["results"]) == 10 and page["next"]
        ids += [row["id"] for row in page["results"]]
        link = rebased(page["next"], http, "krill")
    assert "offset=80" in link
    assert len(set(ids)) == 30  # real rows, over and over


# -- duplicates ----------------------------------------------------------------------------------


def repeated(ids: list[Any]) -> bool:
    return len(ids) >= 3 and ids[-1] == ids[0] and max(Counter(ids).values()) >= 2


@pytest.mark.parametrize(
    ("backend", "path", "params", "key", "id_key"),
    [
        ("librenms", "/api/v0/devices", {}, "devices", "device_id"),
        ("librenms", "/api/v0/alerts", {"state": "0,1,2,3,4"}, "alerts", "id"),
        ("librenms", "/api/v0/devices/11/ports", {"columns": "port_id,ifName"}, "ports", "port_id"),
        ("librenms", "/api/v0/rules", {}, "rules", "id"),
        ("openwisp", DEVICES, {}, "results", "id"),
        ("krill", CPES, {"limit": 10}, "results", "id"),
    ],
)
def test_json_lists_repeat_ids(
    http: LabHttp, backend: str, path: str, params: dict[str, Any], key: str, id_key: str
) -> None:
    clean = [row[id_key] for row in http.get(backend, path, params=params).json()[key]]
    http.faults(backend, "duplicates")
    shown = [row[id_key] for row in http.get(backend, path, params=params).json()[key]]
    assert len(set(clean)) == len(clean) and repeated(shown)
    assert len(shown) == len(clean) + 2 and set(shown) == set(clean)


@pytest.mark.parametrize(
    ("path", "item", "id_tag"),
    [
        ("/rest/users/registrations/", "registration", "exten"),
        ("/rest/users/brief/", "user", "exten"),
        ("/rest/pbx/callgroups", "callgroup", "id"),
        ("/rest/pbx/conferences", "conference", "name"),
    ],
)
def test_kalliope_lists_repeat_ids(http: LabHttp, path: str, item: str, id_tag: str) -> None:
    http.faults("kalliope", "duplicates")
    root = etree.fromstring(http.get("kalliope", path).content)
    assert repeated([node.findtext(id_tag) for node in root.iter(item)])


def test_the_streamed_cdr_repeats_calls(http: LabHttp, frozen: tuple[Lab, FrozenClock]) -> None:
    query = cdr_request(since(frozen[1], 48))
    clean = [
        c.findtext("id")
        for c in etree.fromstring(http.post("kalliope", "/rest/cdr", content=query).content).iter(
            "call"
        )
    ]
    http.faults("kalliope", "duplicates")
    root = etree.fromstring(http.post("kalliope", "/rest/cdr", content=query).content)
    shown = [c.findtext("id") for c in root.iter("call")]
    assert repeated(shown) and len(shown) == len(clean) + 2


def test_the_cdr_csv_export_repeats_rows(http: LabHttp, frozen: tuple[Lab, FrozenClock]) -> None:
    http.faults("kalliope", "duplicates,hostile")
    query = cdr_request(since(frozen[1], 24))
    answer = http.post("kalliope", "/rest/cdr", content=query, headers={"Accept": "text/csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8", "surrogatepass"))))
    assert rows[0][:2] == ["id", "unique_id"] and all(len(row) == len(rows[0]) for row in rows)
    assert repeated([row[0] for row in rows[1:]])
    names = [row[rows[0].index("called_name")] for row in rows[1:]]
    assert any("\n" in name for name in names)  # quoted, so the row stays one row


# -- malformed -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["krill", "librenms", "openwisp"])
def test_deep_json_is_nested_a_hundred_thousand_levels(http: LabHttp, backend: str) -> None:
    http.faults(backend, "malformed=deep")
    raw = http.get(backend, PING[backend]).content
    assert raw.count(b"[") >= 100_000 and b"[" * 100_000 in raw
    with pytest.raises(RecursionError):
        json.loads(raw)


def test_deep_xml_is_nested_a_hundred_thousand_levels(http: LabHttp) -> None:
    http.faults("kalliope", "malformed=deep")
    raw = http.get("kalliope", PING["kalliope"]).content
    assert b"<calls>" * 100_000 in raw
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(raw)  # lxml refuses more than 256 levels unless told otherwise


def test_nan_puts_non_numbers_in_numeric_fields(http: LabHttp) -> None:
    http.faults("librenms", "malformed=nan")
    path = "/api/v0/devices/11/ports"
    answer = http.get("librenms", path, params={"columns": "port_id,ifName,ifSpeed,ifMtu"})
    for token in NUMBER_TOKENS:
        assert f": {token}" in answer.text, token
    ports = json.loads(answer.text)["ports"]  # Python accepts them; strict parsers do not
    values = [p[k] for p in ports for k in ("ifSpeed", "ifMtu")]
    assert any(isinstance(v, float) and math.isnan(v) for v in values)
    assert any(v == math.inf for v in values) and any(v == -math.inf for v in values)
    assert any(isinstance(v, int) and v == 10**400 for v in values)
    assert all(isinstance(p["port_id"], int) for p in ports)  # ids stay


def test_nan_in_kalliope_numbers(http: LabHttp) -> None:
    http.faults("kalliope", "malformed=nan")
    root = etree.fromstring(http.get("kalliope", "/rest/users/registrations/").content)
    shown = [r.findtext("rtt") or "" for r in root.iter("registration")]
    assert any(v.startswith("NaN") for v in shown) and any(v.startswith("1e400") for v in shown)
    assert all((r.findtext("exten") or "").isdigit() for r in root.iter("registration"))


def test_types_are_wrong_everywhere(http: LabHttp) -> None:
    for backend in ("librenms", "openwisp"):
        http.faults(backend, "malformed=types")
    devices = http.get("librenms", "/api/v0/devices").json()["devices"]
    values = [(k, v) for row in devices for k, v in row.items()]
    assert any(k == "device_id" and isinstance(v, str) for k, v in values)  # a string for a number
    assert any(isinstance(v, dict) and "value" in v for _, v in values)  # an object for a string
    assert any(v is None for _, v in values)
    assert any(isinstance(v, list) for _, v in values)
    rows = http.get("openwisp", DEVICES).json()["results"]
    assert any(isinstance(row.get("config"), list) for row in rows)  # a list for an object


def test_kalliope_types(http: LabHttp) -> None:
    http.faults("kalliope", "malformed=types")
    root = etree.fromstring(http.get("kalliope", "/rest/users/registrations/").content)
    regs = list(root.iter("registration"))
    assert any(r.find("exten/value") is not None for r in regs)
    assert any(len(r.findall("status")) == 2 for r in regs)
    assert root.findtext("request_id") is None or root.find("request_id/value") is None


def test_badnext_gives_every_kind_of_bad_link_in_turn(http: LabHttp) -> None:
    for backend in ("openwisp", "krill"):
        http.faults(backend, "malformed=badnext")
        links = [
            http.get(backend, DEVICES if backend == "openwisp" else CPES).json()["next"]
            for _ in range(5)
        ]
        assert any("\x00" in link for link in links)
        assert any(link.startswith("  ") and " ? " in link for link in links)
        assert any(link.startswith("http://evil.example/") for link in links)
        assert "file:///etc/passwd" in links
        assert any(len(link) > 1_000_000 for link in links)


def test_shape_faults_leave_the_admin_path_and_other_backends_alone(http: LabHttp) -> None:
    http.faults("librenms", "malformed=deep")
    for name in BACKENDS:
        if name != "librenms":
            assert http.get(name, PING[name]).status_code == 200
    assert http.client.get(http.urls["librenms"] + "/_sim/faults").json()["librenms"]
