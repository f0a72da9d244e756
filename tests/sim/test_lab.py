"""The lab over real loopback HTTP: each backend's auth, its ping endpoint, pagination, config."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import threading
import tomllib
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab, LabBackend, kalliope, krill, librenms, openwisp
from noc_tui.sim.common import php_json
from noc_tui.sim.lab import serve

CPE_KEYS = {
    "id",
    "access",
    "active",
    "address",
    "address_profile",
    "avatar",
    "bridge",
    "city",
    "country",
    "cpename",
    "created",
    "customer",
    "disable_provision",
    "disable_reconfig",
    "dsn",
    "enable_notifications",
    "expiration_date",
    "external_id",
    "external_voip",
    "fixed_address",
    "has_tr069",
    "internal_id",
    "is_bitstream",
    "is_router",
    "lan_cidr",
    "latitude",
    "line_profile",
    "locality",
    "longitude",
    "mac",
    "me_vlan",
    "model",
    "mtamac",
    "notes",
    "postalcode",
    "pppoe_password",
    "pppoe_username",
    "probe",
    "profile",
    "realm",
    "remote_id",
    "sn",
    "tech",
    "tech_updated",
    "topology",
    "tr069",
    "tv_profile",
    "updated",
    "voip_profile",
    "wanmac",
    "wifi_password",
    "wifi_profile",
    "wifi_ssid",
    "_links",
    "_services",
}
DEVICE_KEYS = [
    "id",
    "name",
    "organization",
    "group",
    "mac_address",
    "key",
    "last_ip",
    "management_ip",
    "model",
    "os",
    "system",
    "notes",
    "config",
    "created",
    "modified",
]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    lab = Lab(seed=7, cpes=120)
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def urls(lab: Lab) -> dict[str, str]:
    return {backend.name: backend.url for backend in lab.backends}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def _b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def krill_token(http: httpx.Client, url: str) -> str:
    form = {"username": krill.USERNAME, "password": krill.PASSWORD}
    return http.post(f"{url}/api/v2/auth/login", data=form).json()["access"]


def test_four_backends_on_loopback(lab: Lab) -> None:
    backends = lab.backends
    assert [b.name for b in backends] == ["krill", "librenms", "openwisp", "kalliope"]
    assert all(isinstance(b, LabBackend) and b.kind == b.name for b in backends)
    assert all(b.url.startswith("http://127.0.0.1:") for b in backends)
    assert len({b.url for b in backends}) == 4
    assert backends[0].credentials == {"username": krill.USERNAME, "password": krill.PASSWORD}
    assert backends[1].credentials == {"token": librenms.TOKEN}
    assert backends[2].credentials == {"token": openwisp.TOKEN}
    assert backends[3].credentials == {"username": "admin", "password": kalliope.PASSWORD}


# -- Krill -------------------------------------------------------------------------------------


def test_krill_login_returns_a_simplejwt_access_token(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    response = http.post(
        f"{urls['krill']}/api/v2/auth/login",
        data={"username": krill.USERNAME, "password": krill.PASSWORD},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    access = response.json()["access"]
    header, claims = (_b64json(part) for part in access.split(".")[:2])
    assert header == {"typ": "JWT", "alg": "HS256"}
    assert set(claims) == {"token_type", "exp", "iat", "jti", "user_id"}
    assert claims["token_type"] == "access" and claims["exp"] - claims["iat"] == 86_400


def test_krill_login_accepts_json_too(http: httpx.Client, urls: dict[str, str]) -> None:
    body = {"username": krill.USERNAME, "password": krill.PASSWORD}
    assert http.post(f"{urls['krill']}/api/v2/auth/login/", json=body).status_code == 200


def test_krill_login_refuses_wrong_and_missing_credentials(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    wrong = http.post(
        f"{urls['krill']}/api/v2/auth/login", data={"username": krill.USERNAME, "password": "nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "No active account found with the given credentials"}
    missing = http.post(f"{urls['krill']}/api/v2/auth/login", data={})
    assert missing.status_code == 400
    assert missing.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


@pytest.mark.parametrize(
    ("authorization", "body"),
    [
        (None, {"detail": "Authentication credentials were not provided."}),
        ("Token abc", {"detail": "Authentication credentials were not provided."}),
        (
            "Bearer not.a.jwt",
            {"detail": "Given token not valid for any token type", "code": "token_not_valid"},
        ),
    ],
)
def test_krill_refuses_requests_without_a_valid_bearer(
    http: httpx.Client, urls: dict[str, str], authorization: str | None, body: dict[str, str]
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(f"{urls['krill']}/api/v2/isp/cpes/", headers=headers)
    assert response.status_code == 401
    assert response.json() == body
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'


def test_krill_accepts_the_static_api_token(http: httpx.Client, urls: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {krill.STATIC_TOKEN}"}
    assert http.get(f"{urls['krill']}/api/v2/isp/cpes/", headers=headers).status_code == 200


def test_krill_cpe_pages_link_to_the_internal_host(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {krill_token(http, urls['krill'])}"}
    first = http.get(f"{urls['krill']}/api/v2/isp/cpes/", headers=headers).json()
    assert first["count"] == 120 and len(first["results"]) == 10 and first["previous"] is None
    assert first["next"] == "http://pre1:4280/api/v2/isp/cpes/?limit=10&offset=10"
    page = http.get(
        f"{urls['krill']}/api/v2/isp/cpes/",
        headers=headers,
        params={"attrs": "id,cpename,sn", "limit": 5, "offset": 5},
    ).json()
    assert page["next"] == "http://pre1:4280/api/v2/isp/cpes/?attrs=id,cpename,sn&limit=5&offset=10"
    assert page["previous"] == "http://pre1:4280/api/v2/isp/cpes/?attrs=id,cpename,sn&limit=5"
    assert [set(row) for row in page["results"]] == [{"id", "cpename", "sn"}] * 5
    assert page["results"][0]["id"] == first["results"][5]["id"]
    last = http.get(
        f"{urls['krill']}/api/v2/isp/cpes/", headers=headers, params={"limit": 50, "offset": 100}
    ).json()
    assert len(last["results"]) == 20 and last["next"] is None


def test_krill_cpe_records_look_like_the_real_ones(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {krill_token(http, urls['krill'])}"}
    rows = http.get(
        f"{urls['krill']}/api/v2/isp/cpes/", headers=headers, params={"limit": 200}
    ).json()["results"]
    assert all(set(row) == CPE_KEYS for row in rows)
    gpon = [row for row in rows if row["tech"] == "gpon"]
    assert len(gpon) > len(rows) * 0.7
    assert all(len(row["sn"]) == 16 and int(row["sn"], 16) >= 0 for row in gpon)
    assert any(row["sn"].startswith("48575443") for row in gpon)  # HWTC
    assert all(row["cpename"][:3].isalpha() and row["cpename"][3:].isdigit() for row in rows)
    one = rows[0]
    assert one["_links"]["actions"]["reboot"].endswith(f"/{one['id']}/reboot")
    assert one["updated"] >= one["created"][:10]


def test_krill_filters_and_detail(http: httpx.Client, urls: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {krill_token(http, urls['krill'])}"}
    base = f"{urls['krill']}/api/v2/isp/cpes/"
    some = http.get(base, headers=headers, params={"limit": 30}).json()["results"]
    target = next(row for row in some if row["tech"] == "gpon")
    ascii_sn = bytes.fromhex(target["sn"][:8]).decode() + target["sn"][8:].upper()
    for params in (
        {"sn": target["sn"]},
        {"sn": ascii_sn},
        {"cpename": target["cpename"]},
        {"internal_id": target["internal_id"]},
    ):
        found = http.get(base, headers=headers, params=params).json()
        assert found["count"] == 1 and found["results"][0]["id"] == target["id"], params
    realm = http.get(base, headers=headers, params={"realm": "cpe", "limit": 500}).json()
    assert 0 < realm["count"] < 120 and {row["realm"] for row in realm["results"]} == {"cpe"}
    detail = http.get(f"{base}{target['id']}/", headers=headers)
    assert detail.status_code == 200 and detail.json()["sn"] == target["sn"]
    missing = http.get(f"{base}999999/", headers=headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}


async def test_krill_token_expires_after_24_hours_on_the_lab_clock() -> None:
    clock = FrozenClock()
    lab = Lab(seed=3, cpes=5, clock=clock)
    transport = httpx.ASGITransport(app=lab.asgi_app("krill"))
    async with httpx.AsyncClient(transport=transport, base_url="http://krill.test") as client:
        form = {"username": krill.USERNAME, "password": krill.PASSWORD}
        access = (await client.post("/api/v2/auth/login", data=form)).json()["access"]
        headers = {"Authorization": f"Bearer {access}"}
        clock.advance(86_399)
        assert (await client.get("/api/v2/isp/cpes/", headers=headers)).status_code == 200
        clock.advance(1)
        expired = await client.get("/api/v2/isp/cpes/", headers=headers)
        assert expired.status_code == 401
        assert expired.json()["code"] == "token_not_valid"


# -- LibreNMS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["header", "query", "bearer", "secret only"])
def test_librenms_system_with_each_token_form(
    http: httpx.Client, urls: dict[str, str], how: str
) -> None:
    token, headers, params = librenms.TOKEN, {}, {}
    if how == "header":
        headers["X-Auth-Token"] = token
    elif how == "query":
        params["api_token"] = token
    elif how == "bearer":
        headers["Authorization"] = f"Bearer {token}"
    else:
        headers["X-Auth-Token"] = token.split("|", 1)[1]
    response = http.get(f"{urls['librenms']}/api/v0/system", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith('{\n    "status": "ok",\n    "system": [\n')
    body = response.json()
    assert body["count"] == 1 and body["system"][0]["local_ver"] == "26.10.0"


@pytest.mark.parametrize("token", [None, "", "7|wrong", "wrong"])
def test_librenms_refuses_missing_or_wrong_tokens(
    http: httpx.Client, urls: dict[str, str], token: str | None
) -> None:
    headers = {"X-Auth-Token": token} if token is not None else {}
    response = http.get(f"{urls['librenms']}/api/v0/system", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


def test_librenms_index_and_unknown_routes(http: httpx.Client, urls: dict[str, str]) -> None:
    headers = {"X-Auth-Token": librenms.TOKEN}
    index = http.get(f"{urls['librenms']}/api/v0", headers=headers)
    assert index.status_code == 200 and "\\/" not in index.text
    routes = index.json()
    assert list(routes) == sorted(routes) and "status" not in routes
    assert routes["server_info"] == f"{urls['librenms']}/api/v0/system"
    assert routes["list_alertlog"].endswith("/api/v0/logs/alertlog/{hostname?}")
    unknown = http.get(f"{urls['librenms']}/api/v0/nope", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json() == {"status": "error", "message": "This API route doesn't exist."}
    assert http.get(f"{urls['librenms']}/api/v0/nope").status_code == 401


def test_php_json_escapes_slashes_like_json_encode() -> None:
    assert php_json({"ifName": "xe-0/0/0"}).body == b'{\n    "ifName": "xe-0\\/0\\/0"\n}'


# -- OpenWISP ----------------------------------------------------------------------------------


def test_openwisp_token_endpoint(http: httpx.Client, urls: dict[str, str]) -> None:
    url = f"{urls['openwisp']}/api/v1/users/token/"
    form = {"username": openwisp.USERNAME, "password": openwisp.PASSWORD}
    assert http.post(url, data=form).json() == {"token": openwisp.TOKEN}
    assert http.post(url, json=form).json() == {"token": openwisp.TOKEN}
    wrong = http.post(url, data={**form, "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    missing = http.post(url, data={})
    assert missing.status_code == 400
    assert missing.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }
    get = http.get(url)
    assert get.status_code == 405 and get.json() == {"detail": 'Method "GET" not allowed.'}


async def test_openwisp_token_endpoint_is_throttled_at_20_a_day() -> None:
    lab = Lab(seed=2, clock=FrozenClock())
    transport = httpx.ASGITransport(app=lab.asgi_app("openwisp"))
    async with httpx.AsyncClient(transport=transport, base_url="http://ow.test") as client:
        for _ in range(20):
            assert (await client.post("/api/v1/users/token/", data={})).status_code == 400
        throttled = await client.post("/api/v1/users/token/", data={})
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "86400"
    detail = "Request was throttled. Expected available in 86400 seconds."
    assert throttled.json() == {"detail": detail}


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer 0000000000000000000000000000000000000000", "Invalid token."),
        (f"Token {openwisp.TOKEN}", "Authentication credentials were not provided."),
        ("Bearer", "Invalid token header. No credentials provided."),
        ("Basic YWRtaW46cGFzcw==", "Authentication credentials were not provided."),
    ],
)
def test_openwisp_401_bodies(
    http: httpx.Client, urls: dict[str, str], authorization: str | None, detail: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(f"{urls['openwisp']}/api/v1/controller/device/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"] == "Bearer"


def test_openwisp_device_list_pages(http: httpx.Client, urls: dict[str, str]) -> None:
    base = f"{urls['openwisp']}/api/v1/controller/device/"
    headers = {"Authorization": f"bearer {openwisp.TOKEN}"}
    first = http.get(base, headers=headers).json()
    assert first["count"] == 36 and len(first["results"]) == 10
    assert first["next"] == f"{base}?page=2" and first["previous"] is None
    rows = http.get(base, headers=headers, params={"page_size": 1000}).json()["results"]
    assert len(rows) == 36
    assert all(list(row) == DEVICE_KEYS for row in rows)
    created = [row["created"] for row in rows]
    assert created == sorted(created, reverse=True)
    assert len({row["organization"] for row in rows}) == 2
    assert len({row["group"] for row in rows if row["group"]}) >= 4
    assert all(
        row["config"] is None or set(row["config"]) == {"status", "error_reason", "backend"}
        for row in rows
    )
    assert any(row["config"] is None for row in rows)
    paged = http.get(base, headers=headers, params={"page": 2, "page_size": 5}).json()
    assert paged["next"] == f"{base}?page=3&page_size=5"
    assert paged["previous"] == f"{base}?page_size=5"
    assert paged["results"] == rows[5:10]
    loose = http.get(base, headers=headers, params={"page_size": "abc"}).json()
    assert len(loose["results"]) == 10 and loose["next"] == f"{base}?page=2&page_size=abc"
    for page in ("999", "0", "abc"):
        bad = http.get(base, headers=headers, params={"page": page})
        assert bad.status_code == 404 and bad.json() == {"detail": "Invalid page."}


def test_openwisp_page_size_is_capped_at_100() -> None:
    assert openwisp._page_size("1000") == 100
    assert openwisp._page_size("100") == 100
    assert openwisp._page_size("0") == openwisp._page_size("-1") == openwisp._page_size(None) == 10


def test_openwisp_redirects_a_missing_trailing_slash(
    http: httpx.Client, urls: dict[str, str]
) -> None:
    response = http.get(f"{urls['openwisp']}/api/v1/controller/device")
    assert response.status_code == 301
    assert response.headers["location"] == "/api/v1/controller/device/"


# -- KalliopePBX -------------------------------------------------------------------------------


def test_kalliope_firmware_with_basic_md5(http: httpx.Client, urls: dict[str, str]) -> None:
    md5 = hashlib.md5(kalliope.PASSWORD.encode(), usedforsecurity=False).hexdigest()
    response = http.get(
        f"{urls['kalliope']}/rest/system/firmware",
        auth=("admin", md5),
        params={"request_id": "noc42"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=UTF-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<kpbx_response>')
    root = etree.fromstring(response.content)
    assert [child.tag for child in root] == ["request_id", "firmware"]
    assert root.findtext("request_id") == "noc42"
    firmware = root.find("firmware")
    assert [child.tag for child in firmware] == ["primary", "secondary", "running"]
    assert firmware.findtext("running") == "primary"


@pytest.mark.parametrize("auth", [None, ("admin", kalliope.PASSWORD), ("root", "x")])
def test_kalliope_refuses_without_the_md5_password(
    http: httpx.Client, urls: dict[str, str], auth: tuple[str, str] | None
) -> None:
    response = http.get(f"{urls['kalliope']}/rest/system/firmware", auth=auth)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="KalliopePBX"'


async def test_kalliope_without_license_blocks_the_api() -> None:
    lab = Lab(kalliope_license_ok=False)
    transport = httpx.ASGITransport(app=lab.asgi_app("kalliope"))
    md5 = hashlib.md5(kalliope.PASSWORD.encode(), usedforsecurity=False).hexdigest()
    async with httpx.AsyncClient(transport=transport, base_url="http://pbx.test") as client:
        response = await client.get(
            "/rest/system/firmware", auth=("admin", md5), params={"request_id": "r1"}
        )
    root = etree.fromstring(response.content)
    assert root.findtext("request_id") == "r1"
    assert root.findtext("request_not_allowed/error/code") == "1"
    assert root.findtext("request_not_allowed/error/message") == "License missing"


# -- the lab as a whole ------------------------------------------------------------------------


async def test_same_seed_same_world() -> None:
    async def first_rows(seed: int) -> tuple[dict, dict]:
        lab = Lab(seed=seed, cpes=20, clock=FrozenClock())
        headers = {"Authorization": f"Bearer {krill.STATIC_TOKEN}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=lab.asgi_app("krill")), base_url="http://k.test"
        ) as client:
            cpe = (await client.get("/api/v2/isp/cpes/", headers=headers)).json()["results"][0]
        headers = {"Authorization": f"Bearer {openwisp.TOKEN}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=lab.asgi_app("openwisp")), base_url="http://o.test"
        ) as client:
            device = (await client.get("/api/v1/controller/device/", headers=headers)).json()
        return cpe, device["results"][0]

    assert await first_rows(11) == await first_rows(11)
    assert await first_rows(11) != await first_rows(12)


def test_config_parses_and_points_at_the_lab(lab: Lab) -> None:
    text = lab.config_toml(poll_seconds=2)
    assert tomllib.loads(text)["ui"]["theme"] == "noc-dark"
    config = lab.config(poll_seconds=2)
    assert [b.name for b in config.backends] == ["krill", "librenms", "openwisp", "kalliope"]
    assert [b.url for b in config.backends] == [b.url for b in lab.backends]
    assert all(b.poll_seconds == 2 for b in config.backends)
    assert config.backend("librenms").token.reveal() == librenms.TOKEN
    assert config.backend("kalliope").password_md5.reveal() == kalliope.PASSWORD_MD5


async def test_the_console_clients_ping_every_backend(lab: Lab) -> None:
    from noc_tui.api import Backends

    backends = Backends(lab.config())
    try:
        summaries = {client.name: (await client.ping()).summary for client in backends}
    finally:
        await backends.aclose()
    assert summaries == {
        "krill": "120 CPEs",
        "librenms": "LibreNMS 26.10.0",
        "openwisp": "36 devices",
        "kalliope": "firmware 3.14.2-4011",
    }


def _free_port_run(count: int) -> int:
    for base in range(41_000, 60_000, 97):
        socks = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no free port run")


def test_fixed_port_and_clean_stop() -> None:
    base = _free_port_run(4)
    lab = Lab(port=base, cpes=3)
    threads_before = set(threading.enumerate())
    assert [b.url for b in lab.backends][0] == f"http://127.0.0.1:{base}"  # known before start
    backends = lab.start()
    assert [b.url for b in backends] == [f"http://127.0.0.1:{base + i}" for i in range(4)]
    with httpx.Client(timeout=5) as client:
        assert client.get(f"{backends[1].url}/_sim/faults").status_code == 200
    lab.stop()
    lab.stop()
    assert set(threading.enumerate()) <= threads_before
    for backend in backends:
        with pytest.raises(httpx.ConnectError):
            httpx.get(backend.url, timeout=2)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", base))  # the port is free again


def test_serve_prints_a_config_without_serving() -> None:
    out = io.StringIO()
    assert serve("127.0.0.1", 18800, 1, 10, "krill:latency=1s", True, out=out) == 0
    config = tomllib.loads(out.getvalue())
    assert [b["url"] for b in config["backends"]] == [
        f"http://127.0.0.1:{18800 + i}" for i in range(4)
    ]
