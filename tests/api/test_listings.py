"""Lists that are not the whole truth say so: repeated ids kept once and counted, a page chain
that never ends cut with its reason, over real HTTP against the lab's faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from noc_tui.api import Backends
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.listing import Listing, unique
from noc_tui.api.openwisp import MAX_PAGES, OpenWispClient
from noc_tui.ui.reading import reading_note
from tests.api.helpers import backends_for


@pytest.fixture
async def backends(clean_lab) -> AsyncIterator[Backends]:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab)
    yield made
    await made.aclose()


def one(backends: Backends, kind: str):  # type: ignore[no-untyped-def]
    return backends.of_kind(kind)[0]


def test_unique_keeps_the_first_of_each_id_in_order() -> None:
    got = unique([(1, "a"), (2, "b"), (1, "again"), (3, "c"), (2, "x")], key=lambda r: r[0])
    assert got == [(1, "a"), (2, "b"), (3, "c")]
    assert got.repeated == 2
    assert reading_note(got, "alerts") == "⚠ 2 repeated ids in the answer, each shown once"
    assert reading_note([1, 2]) == "" and reading_note(unique([1, 2], key=int)) == ""


def test_a_cut_list_gives_what_was_read_of_the_true_total() -> None:
    cut = Listing(range(10_000), total=20_000, stopped="the page chain was cut after 100 pages")
    assert reading_note(cut, "devices") == (
        "⚠ incomplete: 10,000 of 20,000 devices read, the page chain was cut after 100 pages"
    )


async def test_librenms_repeated_ids_are_kept_once(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    client: LibreNmsClient = one(backends, "librenms")
    alerts, devices = await client.alerts(), await client.devices()
    ports = await client.ports(devices[0].id)
    clean_lab.set_faults("librenms", "duplicates")
    for before, after in (
        (alerts, await client.alerts()),
        (devices, await client.devices()),
        (ports, await client.ports(devices[0].id)),
    ):
        assert [x.id for x in after] == [x.id for x in before]
        assert isinstance(after, Listing) and after.repeated >= 1


async def test_openwisp_repeated_ids_are_kept_once(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    client: OpenWispClient = one(backends, "openwisp")
    before = await client.devices()
    clean_lab.set_faults("openwisp", "duplicates")
    after = await client.devices()
    assert sorted(d.id for d in after) == sorted(d.id for d in before)
    assert after.repeated >= 1 and not after.stopped


async def test_kalliope_repeated_extensions_are_kept_once(backends: Backends, clean_lab) -> None:  # type: ignore[no-untyped-def]
    client: KalliopeClient = one(backends, "kalliope")
    before = await client.extensions()
    clean_lab.set_faults("kalliope", "duplicates")
    after = await client.extensions()
    assert [e.extension for e in after] == [e.extension for e in before]
    assert after.repeated >= 1


def count_pages(client, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    real = client.session.get_json

    async def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(path)
        return await real(path, *args, **kwargs)

    monkeypatch.setattr(client.session, "get_json", counting)
    return asked


async def test_an_endless_page_chain_is_cut_and_says_so(  # type: ignore[no-untyped-def]
    backends: Backends, clean_lab, monkeypatch
) -> None:
    client: OpenWispClient = one(backends, "openwisp")
    clean_lab.set_faults("openwisp", "endless")
    asked = count_pages(client, monkeypatch)
    devices = await client.devices()
    assert len(asked) == MAX_PAGES
    assert devices.stopped == f"the page chain was cut after {MAX_PAGES} pages"
    assert devices.total is not None and len(devices) <= devices.total
    assert reading_note(devices, "devices").startswith(
        f"⚠ incomplete: {len(devices):,} of {devices.total:,} devices read"
    )


async def test_a_page_chain_that_loops_stops_at_once(  # type: ignore[no-untyped-def]
    backends: Backends, clean_lab, monkeypatch
) -> None:
    client: OpenWispClient = one(backends, "openwisp")
    clean_lab.set_faults("openwisp", "endless=loop")
    asked = count_pages(client, monkeypatch)
    devices = await client.devices()
    assert len(asked) == 2
    assert "loops back" in devices.stopped
    assert "page 2" in devices.stopped  # the first repeat of a link ends it
