"""The LibreNMS client against the research notes' samples (current, 26.5 and legacy eras)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import ActionRefused, AuthFailed, MalformedResponse, NotFound, ServerError
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.audit import AuditLog
from noc_tui.config import BackendSettings, Config, UiSettings
from noc_tui.secret import Secret

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "librenms"
BASE = "http://127.0.0.1:8766"
Route = tuple[str, str, int]  # fixture name (or raw text), content type, status


class Recorded(httpx.AsyncBaseTransport):
    """Serves fixtures by (method, path); every ask is kept for the assertions."""

    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        self.routes = routes
        self.asked: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.asked.append(request)
        found = self.routes.get((request.method, request.url.raw_path.decode().split("?")[0]))
        if found is None:
            return httpx.Response(599, text="no fixture")
        name, ctype, status = found
        path = FIXTURES / f"{name}.json"
        body = path.read_bytes() if path.exists() else name.encode()
        return httpx.Response(status, headers={"content-type": ctype}, content=body)


def ok(name: str, status: int = 200) -> Route:
    return (name, "application/json", status)


@pytest.fixture
def make(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    made: list[Backends] = []

    def build(
        routes: dict[tuple[str, str], Route], read_only: bool = False
    ) -> tuple[LibreNmsClient, Recorded, AuditLog]:
        settings = BackendSettings(
            name="librenms", kind="librenms", url=BASE, token=Secret("t0ken"), timeout_seconds=2
        )
        transport = Recorded(routes)
        audit = AuditLog(tmp_path / "audit.jsonl")
        backends = Backends(
            Config(ui=UiSettings(), backends=(settings,)),
            read_only=read_only,
            transports={BASE: transport},
            audit=audit,
        )
        made.append(backends)
        client = backends.clients["librenms"]
        assert isinstance(client, LibreNmsClient)
        client.session.backoff_base = 0.001
        return client, transport, audit

    yield build


def query(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query)


async def test_alerts_always_ask_for_every_state(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make({("GET", "/api/v0/alerts"): ok("list_alerts")})
    alerts = await client.alerts()
    assert query(transport.asked[0])["state"] == ["0,1,2,3,4,5"]
    assert transport.asked[0].headers["X-Auth-Token"] == "t0ken"
    assert {a.state for a in alerts} == {0, 1, 2, 3, 4, 5}
    first = alerts[0]
    assert (first.id, first.hostname, first.severity, first.rule_name) == (
        105,
        "core-rtr-01.noc.example.net",
        "critical",
        "BGP Session down",
    )
    assert first.note == "" and first.state_word == "alert"
    acked = next(a for a in alerts if a.id == 102)
    assert acked.acknowledged and "Ack (jdoe)" in acked.note and acked.state_word == "acknowledged"
    assert next(a for a in alerts if a.id == 103).until_clear is False


async def test_alerts_legacy_strings_parse_like_numbers(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make({("GET", "/api/v0/alerts"): ok("list_alerts_legacy_strings")})
    alerts = await client.alerts(states=(1, 2), severity="critical")
    assert query(transport.asked[0]) == {"state": ["1,2"], "severity": ["critical"]}
    assert [(a.id, a.state, a.device_id) for a in alerts][:2] == [(101, 1, 12), (102, 2, 31)]
    assert alerts[0].rule_name == ""  # legacy rows carry no rule name: the UI joins rules


async def test_get_alert_sends_states_and_empty_is_not_found(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make(
        {
            ("GET", "/api/v0/alerts/105"): ok("get_alert"),
            ("GET", "/api/v0/alerts/102"): ok("get_alert_filtered_out"),
        }
    )
    assert (await client.alert(105)).rule_name == "BGP Session down"
    assert query(transport.asked[0])["state"] == ["0,1,2,3,4,5"]
    with pytest.raises(NotFound):
        await client.alert(102)


async def test_ack_sends_json_note_and_until_clear(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, audit = make({("PUT", "/api/v0/alerts/101"): ok("ack_ok")})
    message = await client.acknowledge(101, "on it (jdoe)", until_clear=True, target="alert 101")
    assert message == "Alert has been acknowledged"
    assert json.loads(transport.asked[0].content) == {"note": "on it (jdoe)", "until_clear": True}
    (entry,) = audit.read()
    assert entry["action"] == "ack alert" and entry["outcome"] == "ok"


async def test_ack_of_unknown_id_on_200_is_not_found(make) -> None:  # type: ignore[no-untyped-def]
    client, _, audit = make({("PUT", "/api/v0/alerts/999999"): ok("ack_no_such_alert")})
    with pytest.raises(NotFound):
        await client.acknowledge(999999, "x")
    assert [e["outcome"] for e in audit.read()] == ["ok", "failed"]


async def test_unmute_and_lowercase_unknown(make) -> None:  # type: ignore[no-untyped-def]
    unknown = '{"status": "ok", "message": "No alert by that ID"}'
    client, transport, _ = make(
        {
            ("PUT", "/api/v0/alerts/unmute/102"): ok("unmute_ok"),
            ("PUT", "/api/v0/alerts/unmute/7"): ok(unknown),
        }
    )
    assert await client.unmute(102) == "Alert has been unmuted"
    assert transport.asked[0].url.path == "/api/v0/alerts/unmute/102"
    with pytest.raises(NotFound):
        await client.unmute(7)


async def test_read_only_token_403_and_read_only_mode(make) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = make({("PUT", "/api/v0/alerts/101"): ok("forbidden_role", 403)})
    with pytest.raises(AuthFailed):
        await client.acknowledge(101, "x")
    client, transport, audit = make({("PUT", "/api/v0/alerts/101"): ok("ack_ok")}, read_only=True)
    with pytest.raises(ActionRefused):
        await client.acknowledge(101, "x")
    assert transport.asked == [] and audit.read()[-1]["outcome"] == "refused"


async def test_unauthenticated_without_status_keeps_the_message(make) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = make({("GET", "/api/v0/alerts"): ok("unauthorized", 401)})
    with pytest.raises(AuthFailed) as caught:
        await client.alerts()
    assert "Unauthenticated" in caught.value.title and "t0ken" not in caught.value.title


async def test_html_login_page_is_malformed(make) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = make({("GET", "/api/v0/devices"): ("<html>login</html>", "text/html", 200)})
    with pytest.raises(MalformedResponse):
        await client.devices()


async def test_rules_names_and_severities(make) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = make(
        {("GET", "/api/v0/rules"): ok("rules"), ("GET", "/api/v0/rules/1"): ok("get_alert_rule")}
    )
    rules = await client.rules()
    assert rules[0].name == "Devices up/down" and rules[0].severity == "critical"
    assert {r.severity for r in rules} >= {"critical", "warning"}
    assert (await client.rule(1)).id == 1


@pytest.mark.parametrize("fixture", ["list_devices", "list_devices_legacy_strings"])
async def test_devices_both_number_styles(make, fixture: str) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make({("GET", "/api/v0/devices"): ok(fixture)})
    devices = await client.devices()
    assert query(transport.asked[0]) == {"type": ["all"]}
    assert devices and all(d.id > 0 and d.hostname for d in devices)
    assert all(isinstance(d.uptime_seconds, int) for d in devices)
    assert any(d.up for d in devices)


async def test_devices_type_down_has_reason(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make({("GET", "/api/v0/devices"): ok("list_devices_type_down")})
    down = await client.devices("down")
    assert query(transport.asked[0]) == {"type": ["down"]}
    assert down and all(not d.up and d.status_word == "down" for d in down)
    assert any(d.down_reason for d in down)
    with pytest.raises(ValueError):
        await client.devices("bogus")


@pytest.mark.parametrize("fixture", ["get_device", "get_device_eloquent_26_5"])
async def test_device_eras_location_and_booleans(make, fixture: str) -> None:  # type: ignore[no-untyped-def]
    host = "core-rtr-02.noc.example.net"
    client, _, _ = make({("GET", f"/api/v0/devices/{host}"): ok(fixture)})
    device = await client.device(host)
    assert device.location == "DC2 Hall C, Madrid" and not device.up
    assert device.down_reason == "icmp" and device.uptime_seconds == 8899020
    assert device.disabled is False and device.hardware == "MX204"


async def test_unknown_device_is_not_found_with_message(make) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = make({("GET", "/api/v0/devices/x"): ok("error_not_found", 404)})
    with pytest.raises(NotFound) as caught:
        await client.device("x")
    assert "does not exist" in caught.value.title


async def test_ports_with_columns_and_no_ports(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make(
        {
            ("GET", "/api/v0/devices/r1/ports"): ok("ports"),
            ("GET", "/api/v0/devices/empty/ports"): ok("error_no_ports", 404),
        }
    )
    ports = await client.ports("r1")
    columns = query(transport.asked[0])["columns"][0].split(",")
    assert {"ifName", "ifOperStatus", "ifInOctets_rate", "ifSpeed"} <= set(columns)
    assert ports[0].name == "fxp0" and ports[0].in_bps == 18244 * 8
    assert ports[0].speed_bps == 1_000_000_000 and ports[0].oper_status == "up"
    assert await client.ports("empty") == []


async def test_port_stats_encodes_slash_and_reads_poll_time(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make(
        {("GET", "/api/v0/devices/r1/ports/xe-0%2F0%2F0"): ok("port_stats")}
    )
    stats = await client.port_stats("r1", "xe-0/0/0")
    path = transport.asked[0].url.raw_path.decode().split("?")[0]
    assert path.endswith("/ports/xe-0%2F0%2F0")
    assert stats.port.name == "xe-0/0/0" and stats.port.speed_bps == 10_000_000_000
    assert stats.poll_time > 0 and stats.poll_period > 0
    assert stats.port.in_octets_rate > 0


async def test_port_stats_asks_only_the_graph_columns(make) -> None:  # type: ignore[no-untyped-def]
    client, transport, _ = make(
        {("GET", "/api/v0/devices/r1/ports/xe-0%2F0%2F0"): ok("port_stats_columns")}
    )
    stats = await client.port_stats("r1", "xe-0/0/0")
    columns = query(transport.asked[0])["columns"][0].split(",")
    assert {"ifInOctets_rate", "ifOutOctets_rate", "poll_time", "poll_period"} <= set(columns)
    assert stats.poll_period == 300 and stats.poll_time == 1795367112
    assert stats.port.in_bps == 456789012 * 8 and stats.port.oper_status == "up"


async def test_port_stats_of_an_unknown_port_in_old_releases_is_not_found(make) -> None:  # type: ignore[no-untyped-def]
    # Older releases answer 200 with only the computed fields ("0 bps"...) (§6.2).
    body = '{"status": "ok", "port": {"in_rate": "0 bps", "out_rate": "0 bps"}, "count": 2}'
    client, _, _ = make({("GET", "/api/v0/devices/r1/ports/nope"): ok(body)})
    with pytest.raises(NotFound):
        await client.port_stats("r1", "nope")


@pytest.mark.parametrize(
    ("zone", "hours"), [("UTC", 0), ("Europe/Madrid", 1), ("America/New_York", -5)]
)
def test_zone_less_timestamps_read_in_the_server_zone(zone: str, hours: int) -> None:
    from zoneinfo import ZoneInfo

    from noc_tui.api.librenms_models import server_time

    as_utc = server_time("2026-11-22 10:00:00", ZoneInfo("UTC"))
    assert as_utc is not None
    # 10:00 on a Madrid wall clock happened an hour before 10:00 UTC.
    assert server_time("2026-11-22 10:00:00", ZoneInfo(zone)) == as_utc - hours * 3600
    # The Eloquent era's ISO stamps carry their zone: the setting does not apply.
    assert server_time("2026-11-22T10:00:00.000000Z", ZoneInfo(zone)) == as_utc
    assert server_time("", ZoneInfo(zone)) is None and server_time("soon", ZoneInfo(zone)) is None


def test_server_zone_comes_from_the_timezone_setting(make) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    client, _, _ = make({})
    assert str(client.server_zone) == "UTC"  # nothing said: UTC
    client.settings = dataclasses.replace(client.settings, timezone="Europe/Madrid")
    assert str(client.server_zone) == "Europe/Madrid"


async def test_error_envelope_on_500_keeps_server_words(make) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = make({("GET", "/api/v0/rules"): ok("server_error", 500)})
    with pytest.raises(ServerError):
        await client.rules()


def test_unknown_timezone_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    from noc_tui.config import ConfigError, load_config

    text = (
        '[[backends]]\nname = "nms"\nkind = "librenms"\nurl = "https://nms.example.net"\n'
        'token = "t"\ntimezone = "{zone}"\n'
    )
    path = tmp_path / "config.toml"
    path.write_text(text.format(zone="Europe/Madird"))
    path.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert "[[backends]] nms timezone" in str(caught.value)
    assert "Europe/Madird" in str(caught.value)
    path.write_text(text.format(zone="Europe/Madrid"))
    assert load_config(path, env={}).backends[0].timezone == "Europe/Madrid"


def test_display_name_is_optional() -> None:
    from noc_tui.api.librenms_models import Device

    named = Device.parse({"device_id": 1, "hostname": "olt-bcn-01", "display": "OLT Poblenou"})
    assert named.display == "OLT Poblenou" and named.name == "OLT Poblenou"
    for row in ({"display": None}, {}, {"display": "olt-bcn-01"}, {"display": "  "}):
        device = Device.parse({"device_id": 1, "hostname": "olt-bcn-01", **row})
        assert device.name == "olt-bcn-01", row


async def test_per_entity_faults_say_which_port(make) -> None:  # type: ignore[no-untyped-def]
    # Newest LibreNMS (PR #19891): one row per port, same host, rule and time as its siblings.
    client, _, _ = make({("GET", "/api/v0/alerts"): ok("list_alerts_faults_preview")})
    (fault,) = await client.alerts()
    assert (fault.entity_type, fault.entity, fault.entity_about) == (
        "port",
        "Ethernet12",
        "Cust: ACME-BCN-0042",
    )
    classic, *_ = await make({("GET", "/api/v0/alerts"): ok("list_alerts")})[0].alerts()
    assert (classic.entity_type, classic.entity, classic.entity_about) == ("", "", "")


def test_fault_entity_tolerates_any_details() -> None:
    from noc_tui.api.librenms_models import Alert

    base = {"id": 1, "entity_type": "port", "entity_key": "port|7"}
    text = json.dumps({"rule": [{"ifName": "xe-0/0/1", "ifAlias": "Uplink"}]})
    assert Alert.parse({**base, "details": text}).entity == "xe-0/0/1"
    for details in (None, "", "not json", [], {"rule": "x"}, {"rule": [1]}, {"rule": []}):
        assert Alert.parse({**base, "details": details}).entity == "port|7", details
    sensor = {"entity_type": "sensor", "entity_key": "sensor|9"}
    rows = {"rule": [{"sensor_descr": "PSU 1", "sensor_class": "power"}]}
    assert Alert.parse({**sensor, "details": rows}).entity == "PSU 1"
