"""The lab's size options: what each backend answers over loopback HTTP changes with them,
the default lab stays as it was, and a big lab's filtered counts come out right."""

from __future__ import annotations

import io
import json
import tomllib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

from noc_tui.cli import main, sim_parser
from noc_tui.clock import FrozenClock
from noc_tui.sim import Lab, kalliope_world, librenms_world, openwisp_world
from noc_tui.sim.lab import serve
from noc_tui.sim.librenms_world import LibreNmsWorld
from noc_tui.sim.openwisp_world import OpenWispWorld, advance, set_status
from tests.sim.test_faults import GOOD_AUTH

DEVICES = "/api/v1/controller/device/"
STATUSES = ("applied", "modified", "error", "deactivating", "deactivated")
SIZES: dict[str, Any] = {
    "librenms_devices": 3000,
    "alerts": 400,
    "openwisp_devices": 2500,
    "pbxes": 3,
    "extensions": 40,
}


@pytest.fixture(scope="module")
def big() -> Iterator[Lab]:
    lab = Lab(seed=3, cpes=5, clock=FrozenClock(), **SIZES)
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def http(big: Lab) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _get(http: httpx.Client, lab: Lab, name: str, path: str) -> httpx.Response:
    url = next(b.url for b in lab.backends if b.name == name)
    kind = next(b.kind for b in lab.backends if b.name == name)
    answer = http.get(path if path.startswith("http") else url + path, headers=GOOD_AUTH[kind])
    assert answer.status_code == 200, answer.text[:200]
    return answer


def _with_status(world: OpenWispWorld, status: str) -> list[str]:
    return [d["id"] for d in world.devices if d["config"] and d["config"]["status"] == status]


def test_openwisp_filtered_counts_are_right(big: Lab, http: httpx.Client) -> None:
    world = big.sim("openwisp").world
    assert _get(http, big, "openwisp", DEVICES + "?page_size=1").json()["count"] == 2500
    counts = {}
    for status in STATUSES:
        body = _get(http, big, "openwisp", f"{DEVICES}?config__status={status}&page_size=1").json()
        counts[status] = body["count"]
        assert body["count"] == len(_with_status(world, status))
        assert len(body["results"]) == min(1, body["count"])
    assert counts["error"] > 100 and counts["modified"] > 100  # a fraction, so counts matter
    assert counts["applied"] > counts["error"]


def test_openwisp_pages_of_a_filter_are_the_matching_devices_in_order(
    big: Lab, http: httpx.Client
) -> None:
    world = big.sim("openwisp").world
    seen: list[str] = []
    url: str | None = f"{DEVICES}?config__status=error&page_size=1000"  # capped at 100
    while url:
        body = _get(http, big, "openwisp", url).json()
        assert len(body["results"]) <= 100
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == _with_status(world, "error")


def test_librenms_devices_and_alerts_follow_the_sizes(big: Lab, http: httpx.Client) -> None:
    world = big.sim("librenms").world
    every = _get(http, big, "librenms", "/api/v0/devices").json()
    assert every["count"] == len(every["devices"]) == 3000
    assert len({d["hostname"] for d in every["devices"]}) == 3000
    down = _get(http, big, "librenms", "/api/v0/devices?type=down").json()
    assert 0 < down["count"] == sum(d["status"] == 0 for d in world.devices)
    assert {d["status"] for d in down["devices"]} == {0}
    alerts = _get(http, big, "librenms", "/api/v0/alerts").json()
    assert alerts["count"] == 400
    one = down["devices"][0]["hostname"]
    assert _get(http, big, "librenms", f"/api/v0/devices/{one}").json()["devices"][0]["status"] == 0


def test_three_pbxes_each_on_its_own_port_with_its_own_phones(big: Lab, http: httpx.Client) -> None:
    pbxes = [b for b in big.backends if b.kind == "kalliope"]
    assert [b.name for b in pbxes] == ["kalliope", "kalliope-2", "kalliope-3"]
    assert len({b.url for b in big.backends}) == 6
    names = []
    for pbx in pbxes:
        xml = etree.fromstring(_get(http, big, pbx.name, "/rest/users/brief/").content)
        users = xml.findall(".//user")
        assert len(users) == 40
        names.append([(u.findtext("first_name"), u.findtext("last_name")) for u in users])
    assert names[0] != names[1] != names[2]  # each its own world


def test_the_config_names_every_pbx(big: Lab) -> None:
    config = big.config()
    assert [(b.name, b.kind) for b in config.backends][3:] == [
        ("kalliope", "kalliope"),
        ("kalliope-2", "kalliope"),
        ("kalliope-3", "kalliope"),
    ]
    assert [b.url for b in config.backends] == [b.url for b in big.backends]


def test_print_config_with_three_pbxes() -> None:
    out = io.StringIO()
    assert serve("127.0.0.1", 18800, 1, 10, None, True, out=out, sizes={"pbxes": 3}) == 0
    backends = tomllib.loads(out.getvalue())["backends"]
    assert [b["name"] for b in backends] == [
        "krill",
        "librenms",
        "openwisp",
        "kalliope",
        "kalliope-2",
        "kalliope-3",
    ]
    assert [b["url"] for b in backends] == [f"http://127.0.0.1:{18800 + i}" for i in range(6)]


def test_the_default_lab_keeps_its_size() -> None:
    lab = Lab(port=18800, clock=FrozenClock())  # a fixed port: backends known unstarted
    assert len(lab.sim("librenms").world.devices) == librenms_world.DEFAULT_DEVICES == 34
    assert len(lab.sim("librenms").world.alerts) == librenms_world.DEFAULT_ALERTS == 12
    assert len(lab.sim("openwisp").world.devices) == openwisp_world.DEFAULT_DEVICES == 36
    assert len(lab.sim("kalliope").world.extensions) == kalliope_world.DEFAULT_EXTENSIONS
    assert [b.name for b in lab.backends] == ["krill", "librenms", "openwisp", "kalliope"]
    # The CLI writes the defaults out (it does not import the lab): they must agree.
    args = sim_parser().parse_args([])
    assert (args.librenms_devices, args.alerts, args.openwisp_devices) == (34, 12, 36)
    assert (args.pbxes, args.extensions) == (1, kalliope_world.DEFAULT_EXTENSIONS)


def test_a_bigger_lab_keeps_the_small_fleet() -> None:
    clock = FrozenClock()
    small, grown = OpenWispWorld(2, clock), OpenWispWorld(2, clock, size=400)
    assert all(grown.device(d["id"]) == d for d in small.devices)
    assert len({d["name"] for d in grown.devices}) == 400
    small_nms, grown_nms = LibreNmsWorld(2, clock), LibreNmsWorld(2, clock, size=400)
    assert grown_nms.devices[:34] == small_nms.devices
    assert {d["os"] for d in grown_nms.devices[34:]} == {d["os"] for d in small_nms.devices}


def test_the_seed_decides_a_big_lab() -> None:
    clock = FrozenClock()

    def dump(seed: int) -> str:
        ow = OpenWispWorld(seed, clock, size=300)
        nms = LibreNmsWorld(seed, clock, size=300, open_alerts=50)
        return json.dumps([ow.devices, nms.devices, list(nms.alerts.values())], sort_keys=True)

    assert dump(4) == dump(4)
    assert dump(4) != dump(5)


def test_the_status_index_follows_every_change() -> None:
    clock = FrozenClock()
    world = OpenWispWorld(9, clock, size=1500)
    configured = [d for d in world.devices if d["config"]]
    set_status(world, configured[0], "deactivating", "deactivated")
    set_status(world, configured[1], "modified", "applied")
    world.remove(configured[2])
    for _ in range(10):  # the timetable applies modified configs within 240 s
        clock.advance(30)
        advance(world)
        for status in STATUSES:
            assert [d["id"] for d in world.with_status(status)] == _with_status(world, status)
    assert configured[0]["config"]["status"] == "deactivated"
    assert world.device(configured[2]["id"]) is None
    assert not world.with_status("modified")  # all applied or failed by now


@pytest.mark.parametrize("option", ["--pbxes", "--librenms-devices", "--extensions"])
def test_a_size_below_one_is_refused(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["sim", option, "0", "--print-config"])
    assert stopped.value.code == 2
    assert "at least 1" in capsys.readouterr().err
    with pytest.raises(ValueError, match="at least 1"):
        Lab(pbxes=0)
