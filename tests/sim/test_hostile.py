"""`hostile`: every free-text field of every backend is hostile text, over real HTTP, and the
console's lookups by those hostile names still find the world's devices."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab, hostile
from noc_tui.sim.answers import JSON_TEXTS, LIBRENMS_DEVICE_EXTRA
from tests.sim.helpers import LabHttp, cdr_request, segment, strings, texts

EVERY_KIND = {kind.name for kind in hostile.CATALOGUE}
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


# -- the catalogue itself ----------------------------------------------------------------------


def test_the_catalogue_holds_every_string_the_console_must_survive() -> None:
    values = [kind.text("x") for kind in hostile.CATALOGUE]
    required = [
        "x[/]y",
        "[/]",
        "[bold red]RED[/bold red]",
        "A[link=http://evil.example/]B[/link]",
        "[@click=app.quit]",
        "[@click=app.screenshot('x.svg','/tmp')]",
        "[MGMT] uplink",
        "\x1b]52;c;SGVsbG8=\x07",
        "\x1b]8;;http://evil.example/\x1b\\",
        "\x1b]0;owned\x07",
        "\x1b[2J",
        "\x1b[31m",
        "\x9b2J",
        "\x9d0;t\x9c",
        "\x07",
        "\x08",
        "\r",
        "\n",
        "\t",
        "\x00",
        "\x7f",
        "\u202eevil\u202c",
        "\u202d",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\ud800",
        "機器名",
        "🔥📞",
        "\u0336",
    ]
    for piece in required:
        assert any(piece in value for value in values), repr(piece)
    assert any(len(value) >= 10_000 for value in values)
    for marker in hostile.MARKERS:
        assert any(marker in value for value in values), marker


def test_xml_forms_are_legal_xml_1_0_and_keep_their_sting() -> None:
    for kind in hostile.CATALOGUE:
        node = etree.Element("name")
        node.text = kind.xml("Marco Rossi")  # lxml refuses what XML 1.0 cannot carry
        parsed = etree.fromstring(etree.tostring(node))
        assert parsed.text == kind.xml("Marco Rossi"), kind.name
    c1 = hostile.BY_NAME["osc52-clipboard"].xml("x")
    assert "\x9d52;c;SGVsbG8=\x9c" in c1  # OSC ... ST, 8-bit


def test_hostile_text_is_stable_keeps_the_original_and_reads_back() -> None:
    for original in ("core-rtr-01.noc.example.net", "xe-0/0/0", "bgt12345", "Marco Rossi"):
        value = hostile.hostile_text(original)
        assert original in value and value != original
        assert hostile.hostile_text(original) == value
        assert hostile.restore(value) == original
        assert hostile.restore(hostile.hostile_xml(original)) == original
        assert hostile.restore(value.strip()) == original  # a client that strips its input
        assert hostile.kind_of(value) is hostile.kind_for(original)
    assert hostile.restore("plain text") == "plain text"
    assert hostile.kind_of("plain text") is None


# -- every kind reaches every backend ------------------------------------------------------------


def librenms_texts(http: LabHttp) -> list[str]:
    found: list[str] = []
    devices = http.get("librenms", "/api/v0/devices").json()
    found += strings(devices)
    found += strings(http.get("librenms", "/api/v0/alerts", params={"state": "0,1,2,3,4"}).json())
    found += strings(http.get("librenms", "/api/v0/rules").json())
    for device in devices["devices"]:
        path = f"/api/v0/devices/{segment(device['hostname'])}/ports"
        columns = "port_id,ifName,ifDescr,ifAlias"
        ports = http.get("librenms", path, params={"columns": columns})
        assert ports.status_code in (200, 404), ports.text[:200]
        found += strings(ports.json())
    return found


def openwisp_texts(http: LabHttp) -> list[str]:
    devices = http.get("openwisp", DEVICES, params={"page_size": 100}).json()
    found = list(strings(devices))
    for path in ("/api/v1/controller/group/", "/api/v1/controller/template/"):
        found += strings(http.get("openwisp", path).json())
    found += strings(http.get("openwisp", "/api/v1/users/organization/").json())
    for device in devices["results"]:
        found += strings(http.get("openwisp", f"{DEVICES}{device['id']}/").json())
        location = http.get("openwisp", f"{DEVICES}{device['id']}/location/")
        if location.status_code == 200:
            found += strings(location.json())
    return found


def krill_texts(http: LabHttp) -> list[str]:
    cpes = http.get("krill", CPES, params={"limit": 100, "joins": "customer,potses"}).json()
    found = list(strings(cpes))
    for cpe in cpes["results"]:
        found += strings(http.get("krill", f"/api/v2/monitoring/cpes/{cpe['id']}/info").json())
        host = http.get("krill", f"/api/v2/monitoring/hosts/{segment(cpe['internal_id'])}")
        assert host.status_code == 200, host.text[:200]
        found += strings(host.json())
    return found


def kalliope_texts(http: LabHttp, clock: FrozenClock) -> list[str]:
    found: list[str] = []
    for path in (
        "/rest/users/registrations/",
        "/rest/users/brief/",
        "/rest/users/configs/",
        "/rest/pbx/callgroups",
        "/rest/pbx/conferences",
    ):
        found += texts(etree.fromstring(http.get("kalliope", path).content))  # well-formed
    cdr = http.post("kalliope", "/rest/cdr", content=cdr_request(since(clock, 24)))
    found += texts(etree.fromstring(cdr.content))
    return found


COLLECT: dict[str, Callable[[LabHttp, FrozenClock], list[str]]] = {
    "librenms": lambda http, clock: librenms_texts(http),
    "openwisp": lambda http, clock: openwisp_texts(http),
    "krill": lambda http, clock: krill_texts(http),
    "kalliope": kalliope_texts,
}


@pytest.mark.parametrize("backend", list(COLLECT))
def test_every_kind_of_hostile_text_reaches_the_backends_answers(
    http: LabHttp, frozen: tuple[Lab, FrozenClock], backend: str
) -> None:
    http.faults(backend, "hostile")
    found = COLLECT[backend](http, frozen[1])
    kinds = {kind.name for kind in map(hostile.kind_of, found) if kind}
    assert kinds == EVERY_KIND
    if backend == "kalliope":  # the XML-legal forms: C1 for escape sequences, no C0
        assert any("\x9d52;c;SGVsbG8=\x9c" in text for text in found)
        assert not any("\x1b" in text or "\x00" in text for text in found)
    else:
        assert any("\x1b]52;c;SGVsbG8=\x07" in text for text in found)
        assert any("\ud800" in text for text in found)
        assert any("\x00" in text for text in found)


def test_without_the_fault_no_text_is_hostile(
    http: LabHttp, frozen: tuple[Lab, FrozenClock]
) -> None:
    for backend, collect in COLLECT.items():
        assert not [text for text in collect(http, frozen[1]) if hostile.kind_of(text)], backend


def without_text(node: Any, keys: frozenset[str]) -> Any:
    if isinstance(node, dict):
        return {k: without_text(v, keys) for k, v in node.items() if k not in keys}
    if isinstance(node, list):
        return [without_text(item, keys) for item in node]
    return node


@pytest.mark.parametrize(
    ("backend", "path", "params"),
    [
        ("librenms", "/api/v0/devices", {}),
        ("librenms", "/api/v0/alerts", {"state": "0,1,2,3,4"}),
        ("openwisp", DEVICES, {"page_size": 100}),
        ("krill", CPES, {"limit": 30, "joins": "customer"}),
    ],
)
def test_ids_enums_numbers_and_times_stay_as_they_were(
    http: LabHttp, backend: str, path: str, params: dict[str, Any]
) -> None:
    keys = JSON_TEXTS[backend].text | set(LIBRENMS_DEVICE_EXTRA)
    clean = http.get(backend, path, params=params).json()
    http.faults(backend, "hostile")
    shown = http.get(backend, path, params=params).json()
    assert without_text(shown, frozenset(keys)) == without_text(clean, frozenset(keys))
    assert shown != clean


def test_kalliope_numbers_and_states_stay(http: LabHttp) -> None:
    def rows() -> list[tuple[str | None, ...]]:
        root = etree.fromstring(http.get("kalliope", "/rest/users/registrations/").content)
        fields = ("exten", "status", "ip", "port", "rtt")
        return [tuple(r.findtext(f) for f in fields) for r in root.iter("registration")]

    clean = rows()
    http.faults("kalliope", "hostile")
    assert rows() == clean


# -- lookups by what the console was shown --------------------------------------------------------


def test_librenms_devices_and_ports_open_by_their_hostile_names(http: LabHttp) -> None:
    http.faults("librenms", "hostile")
    devices = http.get("librenms", "/api/v0/devices").json()["devices"]
    names = {d["hostname"] for d in devices}
    assert all(hostile.kind_of(name) for name in names)
    alerts = http.get("librenms", "/api/v0/alerts", params={"state": "0,1,2,3,4"}).json()
    assert {a["hostname"] for a in alerts["alerts"]} <= names  # alerts name the same devices
    opened = 0
    for device in devices:
        host = segment(device["hostname"])
        one = http.get("librenms", f"/api/v0/devices/{host}")
        assert one.status_code == 200, device["hostname"][:60]
        assert one.json()["devices"][0]["device_id"] == device["device_id"]
        ports = http.get(
            "librenms", f"/api/v0/devices/{host}/ports", params={"columns": "port_id,ifName"}
        )
        for port in ports.json().get("ports", []):
            stats = http.get("librenms", f"/api/v0/devices/{host}/ports/{segment(port['ifName'])}")
            assert stats.status_code == 200, port["ifName"][:60]
            assert stats.json()["port"]["port_id"] == port["port_id"]
            assert stats.json()["port"]["ifName"] == port["ifName"]
            opened += 1
    assert opened > 50
    by_name = http.get("librenms", "/api/v0/devices", params={"type": "hostname", "query": "olt"})
    assert by_name.json()["count"] == 6  # substring search on the world's names


def test_krill_monitoring_opens_by_hostile_host_names(
    http: LabHttp, frozen: tuple[Lab, FrozenClock]
) -> None:
    http.faults("krill", "hostile")
    cpes = http.get("krill", CPES, params={"limit": 30}).json()["results"]
    gpon = [c for c in cpes if c["tech"] == "gpon"]
    for cpe in cpes:
        name = cpe["internal_id"]
        assert hostile.kind_of(name) and hostile.kind_of(cpe["cpename"])
        host = http.get("krill", f"/api/v2/monitoring/hosts/{segment(name)}")
        assert host.status_code == 200
        assert host.json()["attrs"]["host_name"] == name  # the same hostile name comes back
        found = http.get("krill", CPES, params={"cpename": cpe["cpename"]}).json()
        assert [c["id"] for c in found["results"]] == [cpe["id"]]
    name = gpon[0]["internal_id"].encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    graphs = http.get("krill", "/api/v2/monitoring/graphs/", params={"host_name": name})
    assert graphs.json()["graphs"]
    metrics = [
        {"host_name": name, "service_name": "txrx", "measurement": "check_txrx", "metric": "dnrx"}
    ]
    body = {"host_name": name, "start": "1h", "metrics": metrics}
    series = http.post("krill", "/api/v2/monitoring/datasets/", json=body).json()
    assert any(points for points in series.values())


def test_openwisp_name_filter_finds_a_hostile_name(http: LabHttp) -> None:
    http.faults("openwisp", "hostile")
    rows = http.get("openwisp", DEVICES, params={"page_size": 100}).json()["results"]
    plain = [r for r in rows if "\ud800" not in r["name"]]
    for row in plain[:10]:
        found = http.get("openwisp", DEVICES, params={"name": row["name"]}).json()["results"]
        assert row["id"] in [f["id"] for f in found]


def test_kalliope_cdr_names_are_hostile_and_filterable(
    http: LabHttp, frozen: tuple[Lab, FrozenClock]
) -> None:
    http.faults("kalliope", "hostile")
    asked = cdr_request(since(frozen[1], 24), privacy=True)
    calls = list(
        etree.fromstring(http.post("kalliope", "/rest/cdr", content=asked).content).iter("call")
    )
    outside = [c for c in calls if c.findtext("direction") == "1"]
    # An outside caller's name is written by a stranger: always hostile, never empty.
    assert outside and all(hostile.kind_of(c.findtext("caller_name") or "") for c in outside)
    masked = etree.fromstring(
        http.post("kalliope", "/rest/cdr", content=cdr_request(since(frozen[1], 24))).content
    )
    hidden = [c for c in masked.iter("call") if c.findtext("direction") == "1"]
    assert hidden and not any(c.findtext("caller_name") for c in hidden)  # privacy still holds
    name = next(
        name
        for name in (c.findtext("called_name") or "" for c in calls)
        if len(name) < 200 and hostile.restore(name)  # a name that was there before
    )
    query = cdr_request(since(frozen[1], 24), privacy=True, called_name=name)
    found = etree.fromstring(http.post("kalliope", "/rest/cdr", content=query).content)
    names = {c.findtext("called_name") for c in found.iter("call")}
    assert names == {name}


# -- the broken encoder ----------------------------------------------------------------------------


def test_hostile_raw_json_carries_raw_control_bytes(http: LabHttp) -> None:
    http.faults("librenms", "hostile=raw")
    raw = http.get("librenms", "/api/v0/devices").content
    assert b"\x1b" in raw and b"\xed\xa0\x80" in raw  # ESC, and a surrogate as its bytes
    with pytest.raises(ValueError):
        json.loads(raw)
    loose = json.loads(raw.decode("utf-8", "surrogatepass"), strict=False)
    assert len(loose["devices"]) == 34


def test_hostile_raw_cdr_is_not_well_formed_but_the_rest_is(
    http: LabHttp, frozen: tuple[Lab, FrozenClock]
) -> None:
    http.faults("kalliope", "hostile=raw")
    cdr = http.post("kalliope", "/rest/cdr", content=cdr_request(since(frozen[1], 24))).content
    assert b"\x1b" in cdr
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(cdr)
    etree.fromstring(http.get("kalliope", "/rest/users/brief/").content)


def test_the_admin_path_stays_plain(http: LabHttp) -> None:
    http.faults("librenms", "hostile,duplicates,malformed=types")
    shown = http.client.get(f"{http.urls['librenms']}/_sim/faults").json()
    assert shown["librenms"] == "hostile,duplicates,malformed=types"
