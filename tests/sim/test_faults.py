"""The fault grammar, and every fault injected at run time through /_sim/faults over HTTP."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from noc_tui.sim import Lab, kalliope, krill, librenms, openwisp
from noc_tui.sim.faults import (
    BACKENDS,
    BackendFaults,
    FaultState,
    parse_backend_faults,
    parse_faults,
)

GOOD_AUTH: dict[str, dict[str, str]] = {
    "krill": {"Authorization": f"Bearer {krill.STATIC_TOKEN}"},
    "librenms": {"X-Auth-Token": librenms.TOKEN},
    "openwisp": {"Authorization": f"Bearer {openwisp.TOKEN}"},
    "kalliope": {
        "Authorization": "Basic "
        + base64.b64encode(f"admin:{kalliope.PASSWORD_MD5}".encode()).decode()
    },
}
PING = {
    "krill": "/api/v2/isp/cpes/?limit=1",
    "librenms": "/api/v0/system",
    "openwisp": "/api/v1/controller/device/?page_size=1",
    "kalliope": "/rest/system/firmware",
}


# -- grammar -----------------------------------------------------------------------------------


def test_parse_the_documented_example() -> None:
    faults = parse_faults("librenms:latency=2s,krill:error_rate=0.3,kalliope:down,openwisp:garbage")
    assert faults == {
        "librenms": BackendFaults(latency=2.0),
        "krill": BackendFaults(error_rate=0.3),
        "kalliope": BackendFaults(down=True),
        "openwisp": BackendFaults(garbage=True),
    }


def test_parse_values_and_merging() -> None:
    faults = parse_faults(
        " krill:latency=250ms , krill:drop, librenms:drop=0.25,krill:unauthorized,"
    )
    assert faults["krill"] == BackendFaults(latency=0.25, drop_rate=1.0, unauthorized=True)
    assert faults["librenms"] == BackendFaults(drop_rate=0.25)
    assert parse_faults("") == parse_faults(None) == {}
    both = BackendFaults(latency=1.5, error_rate=1)
    assert parse_backend_faults("latency=1.5s,error_rate=1") == both


@pytest.mark.parametrize(
    "spec",
    [
        "latency=2s,error_rate=0.3",
        "latency=250ms,drop",
        "drop=0.5,down",
        "unauthorized,garbage",
        "",
        "hostile",
        "hostile=raw",
        "bomb",
        "bomb=64",
        "huge",
        "huge=512",
        "huge=512:length",
        "trickle",
        "trickle=0.25",
        "endless",
        "endless=loop",
        "duplicates",
        "malformed=deep",
        "malformed=nan",
        "malformed=types",
        "malformed=badnext",
        "latency=1s,hostile,trickle=2,endless=loop,duplicates,malformed=nan",
    ],
)
def test_spec_round_trips(spec: str) -> None:
    faults = parse_backend_faults(spec)
    assert parse_backend_faults(faults.spec()) == faults
    assert faults.spec() == spec


def test_hostile_backend_faults_parse_with_their_defaults() -> None:
    faults = parse_faults(
        "krill:hostile,krill:bomb,librenms:huge,librenms:trickle,openwisp:endless,"
        "openwisp:duplicates,kalliope:malformed=deep,kalliope:hostile=raw"
    )
    assert faults["krill"] == BackendFaults(hostile="on", bomb_mb=1024)
    assert faults["librenms"] == BackendFaults(huge_mb=2048, trickle=5.0)
    assert faults["openwisp"] == BackendFaults(endless="on", duplicates=True)
    assert faults["kalliope"] == BackendFaults(malformed="deep", hostile="raw")
    assert parse_backend_faults("huge=3:length") == BackendFaults(huge_mb=3, huge_length=True)
    assert parse_backend_faults("trickle=250ms") == parse_backend_faults("trickle=0.25")
    assert parse_backend_faults("trickle=2s").spec() == "trickle=2"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("nope:latency=1s", ["'nope:latency=1s'", "unknown backend 'nope'", "krill"]),
        ("krill", ["'krill'", "<backend>:<fault>"]),
        ("krill:latency=2", ["'krill:latency=2'", "2s or 250ms"]),
        ("krill:latency=fast", ["'krill:latency=fast'", "duration"]),
        ("krill:error_rate=1.5", ["'krill:error_rate=1.5'", "between 0 and 1"]),
        ("krill:error_rate", ["'krill:error_rate'", "between 0 and 1"]),
        ("krill:drop=lots", ["'krill:drop=lots'", "between 0 and 1"]),
        ("krill:explode", ["'krill:explode'", "unknown fault 'explode'", "latency"]),
        ("krill:down=1", ["'krill:down=1'", "takes no value"]),
        ("librenms:latency=1s,openwisp:garbage=yes", ["'openwisp:garbage=yes'"]),
        ("krill:hostile=yes", ["'krill:hostile=yes'", "raw"]),
        ("krill:bomb=0", ["'krill:bomb=0'", "MB"]),
        ("krill:bomb=lots", ["'krill:bomb=lots'", "bomb=64"]),
        ("krill:bomb=70000", ["'krill:bomb=70000'", "65536"]),
        ("krill:huge=12:fast", ["'krill:huge=12:fast'", "huge=512:length"]),
        ("krill:huge=-1", ["'krill:huge=-1'", "MB"]),
        ("krill:trickle=0", ["'krill:trickle=0'", "seconds"]),
        ("krill:trickle=soon", ["'krill:trickle=soon'", "250ms"]),
        ("krill:endless=twice", ["'krill:endless=twice'", "loop"]),
        ("krill:duplicates=2", ["'krill:duplicates=2'", "takes no value"]),
        ("krill:malformed", ["'krill:malformed'", "deep, nan, types, badnext"]),
        ("krill:malformed=weird", ["'krill:malformed=weird'", "deep"]),
    ],
)
def test_parse_errors_name_the_bad_item(spec: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        parse_faults(spec)
    for word in words:
        assert word in str(caught.value)


def test_rates_are_seeded() -> None:
    def rolls(seed: int) -> list[bool]:
        state = FaultState(seed)
        return [state.roll("krill", 0.5) for _ in range(50)]

    assert rolls(4) == rolls(4)
    assert rolls(4) != rolls(5)
    assert 10 < sum(rolls(4)) < 40


# -- at run time, over real HTTP ---------------------------------------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    lab = Lab(seed=5, cpes=30)
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def urls(lab: Lab) -> dict[str, str]:
    return {backend.name: backend.url for backend in lab.backends}


@pytest.fixture
def http(lab: Lab) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client
    for name in BACKENDS:
        lab.set_faults(name, "")


def set_faults(http: httpx.Client, via: str, backend: str, spec: str) -> httpx.Response:
    response = http.post(f"{via}/_sim/faults", json={"backend": backend, "faults": spec})
    assert response.status_code == 200, response.text
    return response


def ping(http: httpx.Client, urls: dict[str, str], backend: str) -> httpx.Response:
    return http.get(urls[backend] + PING[backend], headers=GOOD_AUTH[backend])


def test_every_backend_answers_without_faults(http: httpx.Client, urls: dict[str, str]) -> None:
    assert [ping(http, urls, name).status_code for name in BACKENDS] == [200] * 4


def test_admin_path_shows_and_sets_faults_without_auth(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    assert http.get(f"{urls['kalliope']}/_sim/faults").json() == {name: "" for name in BACKENDS}
    answer = set_faults(http, urls["kalliope"], "librenms", "latency=50ms, unauthorized").json()
    assert answer["librenms"] == "latency=50ms,unauthorized"
    # The admin path skips the faults of the backend it is reached through.
    set_faults(http, urls["librenms"], "librenms", "unauthorized,error_rate=1")
    assert http.get(f"{urls['librenms']}/_sim/faults").status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"backend": "nope", "faults": "down"}, "unknown backend"),
        ({"backend": "krill", "faults": "latency=soon"}, "latency needs a duration"),
        ({"backend": "krill", "faults": 3}, "must be a string"),
    ],
)
def test_admin_path_refuses_bad_requests(
    http: httpx.Client, urls: dict[str, str], body: dict, message: str
) -> None:
    response = http.post(f"{urls['krill']}/_sim/faults", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_new_faults_round_trip_through_the_admin_path(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    spec = "hostile=raw,huge=8:length,trickle=0.5,endless=loop,duplicates,malformed=badnext"
    answer = set_faults(http, urls["openwisp"], "kalliope", spec).json()
    assert answer["kalliope"] == spec
    assert http.get(f"{urls['kalliope']}/_sim/faults").json()["kalliope"] == spec


def test_latency_is_measurable(http: httpx.Client, urls: dict[str, str]) -> None:
    set_faults(http, urls["krill"], "openwisp", "latency=300ms")
    started = time.monotonic()
    assert ping(http, urls, "openwisp").status_code == 200
    assert time.monotonic() - started >= 0.3
    set_faults(http, urls["krill"], "openwisp", "")
    started = time.monotonic()
    ping(http, urls, "openwisp")
    assert time.monotonic() - started < 0.3


def test_error_rate_one_always_answers_5xx(http: httpx.Client, urls: dict[str, str]) -> None:
    for name in BACKENDS:
        set_faults(http, urls["krill"], name, "error_rate=1")
    answers = {name: ping(http, urls, name) for name in BACKENDS}
    assert answers["librenms"].status_code == 500
    assert answers["librenms"].json() == {"message": "Server Error"}
    for name in ("krill", "openwisp", "kalliope"):
        assert answers[name].status_code == 503
        assert answers[name].headers["content-type"].startswith("text/plain")


def test_drop_breaks_the_answer(http: httpx.Client, urls: dict[str, str]) -> None:
    for name in BACKENDS:
        set_faults(http, urls["krill"], name, "drop")
        with pytest.raises(httpx.RemoteProtocolError):
            ping(http, urls, name)


def test_unauthorized_answers_each_backends_own_401(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    for name in BACKENDS:
        set_faults(http, urls["krill"], name, "unauthorized")
    answers = {name: ping(http, urls, name) for name in BACKENDS}
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == dict.fromkeys(BACKENDS, 401)
    assert answers["krill"].json()["code"] == "token_not_valid"
    assert answers["librenms"].json() == {"message": "Unauthenticated."}
    assert answers["openwisp"].json() == {"detail": "Invalid token."}
    assert answers["kalliope"].headers["www-authenticate"] == 'Basic realm="KalliopePBX"'


def test_garbage_is_html_or_broken_xml(http: httpx.Client, urls: dict[str, str]) -> None:
    for name in BACKENDS:
        set_faults(http, urls["krill"], name, "garbage")
    for name in ("krill", "librenms", "openwisp"):
        answer = ping(http, urls, name)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert "<html>" in answer.text
    pbx = ping(http, urls, "kalliope")
    assert pbx.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(pbx.content)


def test_down_refuses_connections_and_comes_back_on_the_same_port(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    assert ping(http, urls, "openwisp").status_code == 200  # a keep-alive connection exists
    set_faults(http, urls["librenms"], "openwisp", "down")
    with pytest.raises(httpx.ConnectError):
        ping(http, urls, "openwisp")
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["openwisp"], timeout=2)
    assert http.get(f"{urls['krill']}/_sim/faults").json()["openwisp"] == "down"
    set_faults(http, urls["librenms"], "openwisp", "")
    assert ping(http, urls, "openwisp").status_code == 200


def test_a_backend_can_take_itself_down(lab: Lab, http: httpx.Client, urls: dict[str, str]) -> None:
    answer = set_faults(http, urls["kalliope"], "kalliope", "down")
    assert answer.headers["connection"] == "close"
    with pytest.raises(httpx.ConnectError):
        ping(http, urls, "kalliope")
    lab.set_faults("kalliope", "")
    assert ping(http, urls, "kalliope").status_code == 200
    assert [b.url for b in lab.backends] == list(urls.values())


def test_python_side_setter(lab: Lab, http: httpx.Client, urls: dict[str, str]) -> None:
    lab.set_faults("krill", "down")
    with pytest.raises(httpx.ConnectError):
        ping(http, urls, "krill")
    lab.set_faults("krill", "error_rate=1")
    assert ping(http, urls, "krill").status_code == 503
    with pytest.raises(ValueError, match="unknown backend"):
        lab.set_faults("pbx", "down")


def test_faults_given_at_start() -> None:
    lab = Lab(cpes=3, faults="kalliope:down,librenms:unauthorized")
    backends = {b.name: b.url for b in lab.start()}
    try:
        with httpx.Client(timeout=5) as client:
            with pytest.raises(httpx.ConnectError):
                client.get(backends["kalliope"] + PING["kalliope"])
            assert (
                client.get(
                    backends["librenms"] + PING["librenms"], headers=GOOD_AUTH["librenms"]
                ).status_code
                == 401
            )
            assert (
                client.get(
                    backends["krill"] + PING["krill"], headers=GOOD_AUTH["krill"]
                ).status_code
                == 200
            )
            lab.set_faults("kalliope", "")
            assert (
                client.get(
                    backends["kalliope"] + PING["kalliope"], headers=GOOD_AUTH["kalliope"]
                ).status_code
                == 200
            )
    finally:
        lab.stop()


async def test_asgi_transport_sees_down_and_drop_as_httpx_errors() -> None:
    lab = Lab(cpes=3, faults="librenms:down,openwisp:drop")
    for name, error in (("librenms", httpx.ConnectError), ("openwisp", httpx.RemoteProtocolError)):
        transport = httpx.ASGITransport(app=lab.asgi_app(name))
        async with httpx.AsyncClient(transport=transport, base_url="http://lab.test") as client:
            with pytest.raises(error):
                await client.get(PING[name], headers=GOOD_AUTH[name])
