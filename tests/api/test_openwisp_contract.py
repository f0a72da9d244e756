"""The OpenWISP client against answers recorded from a real openwisp-controller 1.3.2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import ActionRefused, AuthFailed, MalformedResponse, NotFound, ServerError
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.api.openwisp_models import OpenWispDevice, OpenWispLocation
from noc_tui.audit import AuditLog
from noc_tui.config import BackendSettings, Config, UiSettings
from noc_tui.secret import Secret

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openwisp"
BASE = "http://127.0.0.1:8765"


def recorded(name: str) -> httpx.Response:
    raw = (FIXTURES / f"{name}.http").read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    lines = head.decode().splitlines()
    status = int(lines[0].split()[1])
    headers = [
        tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line
    ]
    headers = [
        (k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding")
    ]
    return httpx.Response(status, headers=headers, content=body)


class Recorded(httpx.AsyncBaseTransport):
    """Serves fixtures by (method, path?query); asks are remembered for the assertions."""

    def __init__(self, routes: dict[tuple[str, str], str]) -> None:
        self.routes = routes
        self.asked: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        target = request.url.raw_path.decode()
        self.asked.append((request.method, target, request.content))
        name = self.routes.get((request.method, target))
        if name is None:
            return httpx.Response(599, text=f"no fixture for {request.method} {target}")
        return recorded(name)


@pytest.fixture
def make() -> Iterator:  # type: ignore[type-arg]
    made: list[Backends] = []

    def build(
        routes: dict[tuple[str, str], str], read_only: bool = False, audit: AuditLog | None = None
    ) -> tuple[OpenWispClient, Recorded]:
        settings = BackendSettings(
            name="openwisp", kind="openwisp", url=BASE, token=Secret("t0ken"), timeout_seconds=2
        )
        transport = Recorded(routes)
        backends = Backends(
            Config(ui=UiSettings(), backends=(settings,)),
            read_only=read_only,
            transports={BASE: transport},
            audit=audit,
        )
        made.append(backends)
        client = backends.clients["openwisp"]
        assert isinstance(client, OpenWispClient)
        client.session.backoff_base = 0.001
        return client, transport

    yield build


DEV = "/api/v1/controller/device/"
LAB = "e0e609e0-42c1-4530-a262-59937e2e045c"


def device_from(name: str) -> OpenWispDevice:
    import json

    return OpenWispDevice.parse(json.loads(recorded(name).content))


async def test_device_list_follows_next_across_pages(make) -> None:  # type: ignore[no-untyped-def]
    page1 = recorded("device-list-page_size-5").json()
    client, transport = make(
        {
            ("GET", DEV + "?page_size=100"): "device-list",
            ("GET", DEV + "?page=2"): "device-list-page-2",
        }
    )
    devices = await client.devices()
    first = recorded("device-list").json()
    second = recorded("device-list-page-2").json()
    assert len(devices) == len(first["results"]) + len(second["results"]) == first["count"]
    assert [m for m, *_ in transport.asked] == ["GET", "GET"]
    assert page1["count"] == first["count"]
    assert all(d.name for d in devices)


async def test_filters_are_sent_as_documented(make) -> None:  # type: ignore[no-untyped-def]
    client, transport = make(
        {("GET", DEV + "?config__status=error&page_size=100"): "filter-config__status-error"}
    )
    devices = await client.devices(config__status="error")
    assert devices and {d.config_status for d in devices} == {"error"}
    assert all(d.error_reason for d in devices)
    with pytest.raises(ValueError):
        await client.devices(bogus="x")


async def test_detail_never_keeps_the_key(make) -> None:  # type: ignore[no-untyped-def]
    did = "d453cc8c-9092-4668-b6f9-e790fa65cac0"
    client, _ = make({("GET", f"{DEV}{did}/"): "device-detail"})
    device = await client.device(did)
    assert device.name == "rtr-core-01" and device.config_status == "applied"
    assert device.backend_short == "OpenWrt" and len(device.templates) == 2
    assert "df38583ba8ac586a9928ad7b05931144" not in repr(device)
    assert not hasattr(device, "key")


async def test_device_without_config_and_location(make) -> None:  # type: ignore[no-untyped-def]
    did = "67dbd443-46ff-4d2d-9df5-96955385eae3"
    client, _ = make(
        {
            ("GET", f"{DEV}{did}/"): "device-detail-no-config",
            ("GET", f"{DEV}{did}/location/"): "device-location-none",
        }
    )
    device = await client.device(did)
    assert device.config_status is None and device.templates == ()
    assert await client.location(did) is None


async def test_location_with_coordinates(make) -> None:  # type: ignore[no-untyped-def]
    did = "d453cc8c-9092-4668-b6f9-e790fa65cac0"
    client, _ = make({("GET", f"{DEV}{did}/location/"): "device-location"})
    place = await client.location(did)
    assert place is not None and place.name == "Rome HQ"
    assert (place.longitude, place.latitude) == (12.4823, 41.8986)


@pytest.mark.parametrize(
    "coordinates",
    [["nan", 41.9], [12.5, "inf"], ["1e400", "-1e400"], [10**400, 41.9], [None, 41.9], ["x", 1]],
)
def test_coordinates_that_are_no_place_are_none(coordinates: list[object]) -> None:
    """Strings JSON lets through as floats ("nan", "1e400") gave a (nan, inf) place on the
    device screen; any coordinate that is not a finite number now means no coordinates."""
    body = {"location": {"id": "l1", "geometry": {"coordinates": coordinates}}}
    place = OpenWispLocation.parse(body)
    assert place is not None and place.id == "l1"
    assert (place.longitude, place.latitude) == (None, None)


async def test_not_found_and_malformed_id(make) -> None:  # type: ignore[no-untyped-def]
    client, _ = make(
        {
            ("GET", f"{DEV}00000000-0000-0000-0000-000000000000/"): "device-detail-not-found",
            ("GET", f"{DEV}not-a-uuid/"): "device-detail-malformed-uuid",
        }
    )
    with pytest.raises(NotFound, match="No Device matches"):
        await client.device("00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):  # Django's HTML 404 page
        await client.device("not-a-uuid")


async def test_groups_organisations_templates(make) -> None:  # type: ignore[no-untyped-def]
    client, _ = make(
        {
            ("GET", "/api/v1/controller/group/?page_size=100"): "group-list",
            ("GET", "/api/v1/users/organization/?page_size=100"): "organization-list",
            ("GET", "/api/v1/controller/template/?page_size=100"): "template-list",
        }
    )
    groups = await client.groups()
    orgs = await client.organizations()
    templates = await client.templates()
    assert {"backbone", "cpe"} <= {g.name for g in groups}
    assert {o.slug for o in orgs} == {"acme-isp", "default"}
    assert "openwisp1-base" in {t.name for t in templates}


async def test_deactivate_activate_audited(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    did = "07bc7455-f0b5-4929-a9c1-2102be9efb92"
    audit = AuditLog(tmp_path / "audit.log")
    client, transport = make(
        {
            ("POST", f"{DEV}{did}/deactivate/"): "deactivate",
            ("POST", f"{DEV}{did}/activate/"): "activate",
        },
        audit=audit,
    )
    active = device_from("activate")
    after = await client.deactivate(active)
    assert after.is_deactivated and after.config_status == "deactivating"
    again = await client.activate(after)
    assert not again.is_deactivated
    text = (tmp_path / "audit.log").read_text()
    assert "deactivate device" in text and "cpe-0001" in text and "activate device" in text


async def test_deactivate_twice_is_explained(make) -> None:  # type: ignore[no-untyped-def]
    did = "07bc7455-f0b5-4929-a9c1-2102be9efb92"
    client, _ = make({("POST", f"{DEV}{did}/deactivate/"): "deactivate-again"})
    with pytest.raises(NotFound, match="already deactivated"):
        await client.deactivate(device_from("deactivate"))


async def test_delete_of_active_device_is_explained(make) -> None:  # type: ignore[no-untyped-def]
    did = "07bc7455-f0b5-4929-a9c1-2102be9efb92"
    client, _ = make({("DELETE", f"{DEV}{did}/"): "delete-active-device"})
    with pytest.raises(ServerError, match="deactivate the device first"):
        await client.delete(device_from("activate"))


async def test_delete_of_deactivated_device(make) -> None:  # type: ignore[no-untyped-def]
    did = "8f4c194e-244a-493b-8248-236707b680a9"
    client, transport = make({("DELETE", f"{DEV}{did}/"): "delete-deactivated-device"})
    await client.delete(device_from("device-detail-deactivated"))
    assert transport.asked[-1][:2] == ("DELETE", f"{DEV}{did}/")


async def test_reboot_and_custom_command_then_status(make) -> None:  # type: ignore[no-untyped-def]
    cmd = "38fa04f6-2992-4ba1-939f-e0ee5865927d"
    client, transport = make(
        {
            ("POST", f"{DEV}{LAB}/command/"): "command-post-custom-lab",
            ("GET", f"{DEV}{LAB}/command/{cmd}/"): "command-detail-lab",
            ("GET", f"{DEV}{LAB}/command/?page_size=100"): "command-list-lab",
        }
    )
    lab_device = OpenWispDevice.parse(
        {"id": LAB, "name": "rtr-lab-01", "config": {"status": "applied"}}
    )
    started = await client.run_command(lab_device, "uptime")
    assert started.status == "in-progress" and not started.done and started.input == "uptime"
    assert b'"type":"custom"' in transport.asked[-1][2].replace(b" ", b"")
    ended = await client.command(LAB, started.id)
    assert ended.done and ended.status == "failed" and "Unable to connect" in ended.output
    history = await client.commands(LAB)
    assert [c.type for c in history] == ["Reboot", "Custom commands"]


async def test_command_errors_carry_the_field_message(make) -> None:  # type: ignore[no-untyped-def]
    did = "d453cc8c-9092-4668-b6f9-e790fa65cac0"
    client, _ = make({("POST", f"{DEV}{did}/command/"): "command-post-no-credentials"})
    device = OpenWispDevice.parse(
        {"id": did, "name": "rtr-core-01", "config": {"status": "applied"}}
    )
    with pytest.raises(ServerError, match="device: Device has no credentials assigned"):
        await client.reboot(device)


async def test_command_on_deactivated_device(make) -> None:  # type: ignore[no-untyped-def]
    did = "8f4c194e-244a-493b-8248-236707b680a9"
    client, _ = make({("POST", f"{DEV}{did}/command/"): "command-post-deactivated-device"})
    with pytest.raises(AuthFailed, match="is deactivated"):
        await client.reboot(device_from("device-detail-deactivated"))


async def test_read_only_refuses_and_sends_nothing(make) -> None:  # type: ignore[no-untyped-def]
    client, transport = make({}, read_only=True)
    with pytest.raises(ActionRefused):
        await client.deactivate(device_from("activate"))
    assert transport.asked == []


async def test_bad_token_is_auth_failed(make) -> None:  # type: ignore[no-untyped-def]
    client, _ = make({("GET", DEV + "?page_size=1"): "auth-bad-token"})
    with pytest.raises(AuthFailed, match="Invalid token"):
        await client.ping()


async def test_page_size_beyond_cap_still_pages(make) -> None:  # type: ignore[no-untyped-def]
    capped = recorded("device-list-page_size-1000-capped").json()
    assert len(capped["results"]) <= 100
    client, _ = make({("GET", DEV + "?page_size=100"): "device-list-page_size-100"})
    assert len(await client.devices()) == recorded("device-list-page_size-100").json()["count"]


async def test_html_where_json_is_due(make) -> None:  # type: ignore[no-untyped-def]
    client, _ = make({("GET", DEV + "?page_size=100"): "device-list-no-trailing-slash"})
    with pytest.raises(MalformedResponse):
        await client.devices()
