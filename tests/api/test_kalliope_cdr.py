"""KalliopePBX call records: request bodies, windows, streaming parse, lab answers, faults."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree

from noc_tui.api import Backends
from noc_tui.api.errors import MalformedResponse, ServerError
from noc_tui.api.kalliope_cdr import (
    CdrParser,
    CdrQuery,
    LicenseBlocked,
    day_windows,
    request_body,
)
from noc_tui.api.kalliope_cdr_stream import FIRST_SPAN, MAX_SPAN, TARGET_CALLS, next_span
from noc_tui.config import Config
from noc_tui.secret import Secret
from noc_tui.sim.kalliope import PRIVACY_PASSWORD_MD5

DOC_CDR = b"""<?xml version="1.0"?>
<kpbx_response><cdr><error_code><code>0</code><message>Success</message></error_code>
<calls><call><id>17</id><unique_id>1700000000.42</unique_id><direction>1</direction>
<caller_num>0612345678</caller_num><caller_name></caller_name><called_num>"201"</called_num>
<called_name>Nicol\xc3\xb2 Ferr\xc3\xa8</called_name><called_callgroup>Reception</called_callgroup>
<gateway_id>1</gateway_id><gateway_name>Trunk</gateway_name><status>8</status>
<billsec>42</billsec><start>2023-11-14 10:00:00</start><answer>2023-11-14 10:00:05</answer>
<end>2023-11-14 10:00:47</end><duration>47</duration></call></calls></cdr></kpbx_response>"""


def test_doc_cdr_parses_in_small_chunks() -> None:
    parser = CdrParser()
    calls = []
    for index in range(0, len(DOC_CDR), 7):
        calls += parser.feed(DOC_CDR[index : index + 7])
    calls += parser.close()
    assert len(calls) == 1
    call = calls[0]
    assert (call.direction_word, call.status_word, call.billsec) == ("inbound", "answered", 42)
    assert call.called_num == "201" and call.called_name == "Nicolò Ferrè"
    assert call.key == "1700000000.42"
    assert parser.root_tag == "kpbx_response" and parser.error is None


@pytest.mark.parametrize(
    "status",
    ["9" * 5000, "9" * 19, "\u00b2", "\u0663", "-1", " 8 ", "x"],
    ids=[
        "5000-digits",
        "19-digits",
        "superscript-two",
        "arabic-indic-three",
        "negative",
        "spaced",
        "text",
    ],
)
def test_a_number_no_call_has_reads_as_zero(status: str) -> None:
    """A 5,000-digit <status> raised ValueError (int() refuses over 4,300 digits; found by
    make fuzz-raw), and "²" passed isdigit() and then failed int(): both are 0 now, like
    any other unreadable number, and the call is kept."""
    body = DOC_CDR.replace(b"<status>8</status>", f"<status>{status}</status>".encode())
    parser = CdrParser()
    calls = parser.feed(body) + parser.close()
    expected = {"-1": -1, " 8 ": 8, "\u0663": 3}.get(status, 0)
    assert [call.status for call in calls] == [expected]
    assert calls[0].billsec == 42


def many_calls(count: int) -> bytes:
    one = DOC_CDR.split(b"<calls>")[1].split(b"</calls>")[0]
    calls = b"".join(one.replace(b"<id>17</id>", f"<id>{i}</id>".encode()) for i in range(count))
    head, tail = DOC_CDR.split(b"<calls>")[0], b"</cdr></kpbx_response>"
    return head + b"<calls>" + calls.replace(b"1700000000.42", b"") + b"</calls>" + tail


def test_parser_keeps_no_tree_behind_and_shares_repeated_strings() -> None:
    parser = CdrParser()
    body = many_calls(5000)
    calls = []
    for index in range(0, len(body), 4096):
        calls += parser.feed(body[index : index + 4096])
    calls += parser.close()
    assert parser.calls_left <= 1  # every call read was cleared and dropped from the tree
    assert len(calls) == 5000 and len({c.key for c in calls}) == 5000  # keyed by id
    assert calls[0].called_name is calls[-1].called_name  # one string, not 5000
    assert calls[0].callgroup is calls[-1].callgroup


def test_request_body_keeps_special_characters() -> None:
    query = CdrQuery(
        datetime(2026, 1, 1), datetime(2026, 1, 2), {"caller_name": "Bruno & Figli <Peña>%"}
    )
    body = request_body(query, query.begin, query.end, "abc")
    root = etree.fromstring(body)
    assert root.findtext("cdr/filter/caller_name") == "Bruno & Figli <Peña>%"
    assert root.findtext("cdr/begin") == "2026-01-01 00:00:00"


def test_day_windows_cut_at_midnight() -> None:
    windows = list(day_windows(datetime(2026, 1, 1, 22), datetime(2026, 1, 3, 1)))
    assert windows == [
        (datetime(2026, 1, 1, 22), datetime(2026, 1, 2)),
        (datetime(2026, 1, 2), datetime(2026, 1, 3)),
        (datetime(2026, 1, 3), datetime(2026, 1, 3, 1)),
    ]


def test_windows_adapt_to_density_and_never_pass_a_day() -> None:
    assert next_span(FIRST_SPAN, 40) == FIRST_SPAN * 4  # sparse: grow, at most 4x a step
    assert next_span(MAX_SPAN, 10) == MAX_SPAN  # never more than a day
    assert next_span(FIRST_SPAN, TARGET_CALLS * 4) == FIRST_SPAN / 4  # dense: shrink


async def collect(client, query):  # type: ignore[no-untyped-def]
    return [call async for batch in client.cdr(query) for call in batch]


@pytest.fixture
async def pbx(clean_lab):  # type: ignore[no-untyped-def]
    made = Backends(clean_lab.config())
    yield made.clients["kalliope"]
    await made.aclose()


def recent() -> tuple[datetime, datetime]:
    end = datetime.utcnow().replace(microsecond=0) - timedelta(hours=1)
    return end - timedelta(hours=30), end


async def test_lab_cdr_newest_first_unique_and_masked(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    batches = [batch async for batch in pbx.cdr(CdrQuery(begin, end))]
    calls = [call for batch in batches for call in batch]
    assert len(batches) > 1  # several windows, the newest first
    assert len(calls) > 300
    assert len({c.key for c in calls}) == len(calls)
    assert [c.start for c in calls] == sorted((c.start for c in calls), reverse=True)
    assert all(begin.strftime("%F %T") <= c.start <= end.strftime("%F %T") for c in calls)
    external = [c.caller_num for c in calls if c.direction == 1]
    assert external and all(num.endswith("XXX") for num in external)
    assert await collect(pbx, CdrQuery(begin, end)) == calls  # deterministic


async def test_privacy_password_given_or_configured_shows_numbers(clean_lab) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    config = clean_lab.config()
    made = Backends(config)
    try:
        client = made.clients["kalliope"]
        private = await collect(client, CdrQuery(begin, end, privacy_md5=PRIVACY_PASSWORD_MD5))
        assert not any(c.caller_num.endswith("XXX") for c in private)
    finally:
        await made.aclose()
    made = Backends(with_privacy(config, PRIVACY_PASSWORD_MD5))
    try:
        shown = await collect(made.clients["kalliope"], CdrQuery(begin, end))
        inbound = [c for c in shown if c.direction == 1]
        assert inbound and all(c.caller_num[-3:].isdigit() for c in inbound)
    finally:
        await made.aclose()


def with_privacy(config: Config, md5: str) -> Config:
    backends = tuple(
        dataclasses.replace(b, privacy_password_md5=Secret(md5)) if b.kind == "kalliope" else b
        for b in config.backends
    )
    return dataclasses.replace(config, backends=backends)


async def test_lab_cdr_filters_with_wildcards(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    answered = await collect(pbx, CdrQuery(begin, end, {"status": "8"}))
    assert answered and {c.status_word for c in answered} == {"answered"}
    reception = await collect(pbx, CdrQuery(begin, end, {"called_callgroup": "Recep%"}))
    assert reception and {c.callgroup for c in reception} == {"Reception"}
    both = await collect(pbx, CdrQuery(begin, end, {"any": "%Recep%", "status": "8"}))
    assert both and all(c.status == 8 and c.callgroup == "Reception" for c in both)


async def test_end_before_begin_is_error_11(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    with pytest.raises(ServerError) as caught:
        await collect(pbx, CdrQuery(end, begin))
    assert "code 11" in caught.value.title and "end is before begin" in caught.value.title
    with pytest.raises(ServerError) as caught:
        async for _ in pbx.cdr(CdrQuery(begin, begin + timedelta(minutes=1), privacy_md5="0" * 32)):
            pass
    assert "privacy password" in caught.value.title


async def test_csv_export_streams_to_a_file(pbx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    query = CdrQuery(begin, end, {"status": "8"})
    calls = await collect(pbx, query)
    target = tmp_path / "calls.csv"
    rows = await pbx.export_cdr_csv(query, target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("id,unique_id,direction")
    assert lines.count(lines[0]) == 1  # one header, whatever the number of day windows
    assert rows == len(lines) - 1 == len(calls)  # a call on a window edge is written once
    assert not target.with_name("calls.csv.part").exists()


# -- answers from a PBX other than the lab: license block, encodings, broken XML -------------


def mock_pbx(clean_lab, answer: Callable[[httpx.Request], httpx.Response]) -> Backends:  # type: ignore[no-untyped-def]
    config = clean_lab.config()
    url = next(b.url for b in config.backends if b.kind == "kalliope")
    return Backends(config, transports={url: httpx.MockTransport(answer)})


def blocked(code: int) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        rid = etree.fromstring(request.content).findtext("request_id")
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><kpbx_response><request_id>{rid}</request_id>'
            f"<request_not_allowed><error><code>{code}</code><message>License</message></error>"
            "</request_not_allowed></kpbx_response>"
        )
        return httpx.Response(200, content=body.encode(), headers={"content-type": "text/xml"})

    return answer


@pytest.mark.parametrize(
    ("code", "reason"), [(1, "license missing"), (2, "license expired"), (3, "license disabled")]
)
async def test_license_block_is_its_own_error(
    clean_lab, code: int, reason: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    made = mock_pbx(clean_lab, blocked(code))
    try:
        client = made.clients["kalliope"]
        with pytest.raises(LicenseBlocked) as caught:
            await collect(client, CdrQuery(*recent()))
        assert (caught.value.code, caught.value.reason) == (code, reason)
        assert reason in caught.value.title
        target = tmp_path / "blocked.csv"
        with pytest.raises(LicenseBlocked):
            await client.export_cdr_csv(CdrQuery(*recent()), target)
        # No half-written file left behind, under either name.
        assert not target.exists() and not target.with_name("blocked.csv.part").exists()
    finally:
        await made.aclose()


async def test_cp1252_body_declared_utf8_is_read_again_as_cp1252(clean_lab) -> None:  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        body = DOC_CDR.replace("Nicolò Ferrè".encode(), "Nicolò Ferrè".encode("cp1252"))
        return httpx.Response(200, content=body)

    made = mock_pbx(clean_lab, answer)
    try:
        end = datetime(2023, 11, 14, 11)
        calls = await collect(made.clients["kalliope"], CdrQuery(end - timedelta(hours=1), end))
        assert calls and calls[0].called_name == "Nicolò Ferrè"
    finally:
        await made.aclose()


async def test_broken_xml_is_malformed(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = mock_pbx(clean_lab, lambda request: httpx.Response(200, content=DOC_CDR[:300]))
    try:
        with pytest.raises(MalformedResponse):
            await collect(made.clients["kalliope"], CdrQuery(*recent()))
    finally:
        await made.aclose()


async def test_stopping_early_cancels_the_window_asked_ahead(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    stream = pbx.cdr(CdrQuery(begin, end))
    first = await anext(stream)
    assert first  # the newest hour came first
    await stream.aclose()  # a new query replaced this one: nothing left running
    pending = [t for t in asyncio.all_tasks() if getattr(t.get_coro(), "__name__", "") == "_window"]
    if pending:
        await asyncio.wait(pending, timeout=2)
    assert all(t.done() for t in pending)  # cancelled, or already finished and dropped
