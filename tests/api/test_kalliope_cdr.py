"""KalliopePBX call records: request bodies, windows, streaming parse, lab answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from lxml import etree

from noc_tui.api import Backends
from noc_tui.api.errors import ServerError
from noc_tui.api.kalliope_cdr import CdrParser, CdrQuery, day_windows, request_body
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


async def test_lab_cdr_over_two_days_masked_and_unique(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    calls = await collect(pbx, CdrQuery(begin, end))
    assert len(calls) > 300
    assert len({c.key for c in calls}) == len(calls)
    external = [c.caller_num for c in calls if c.direction == 1]
    assert external and all(num.endswith("XXX") for num in external)
    again = await collect(pbx, CdrQuery(begin, end))
    assert again == calls  # deterministic
    private = await collect(pbx, CdrQuery(begin, end, privacy_md5=PRIVACY_PASSWORD_MD5))
    assert not any(c.caller_num.endswith("XXX") for c in private)


async def test_lab_cdr_filters_with_wildcards(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    answered = await collect(pbx, CdrQuery(begin, end, {"status": "8"}))
    assert answered and {c.status_word for c in answered} == {"answered"}
    reception = await collect(pbx, CdrQuery(begin, end, {"called_callgroup": "Recep%"}))
    assert reception and {c.callgroup for c in reception} == {"Reception"}


async def test_end_before_begin_is_error_11(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    with pytest.raises(ServerError) as caught:
        await collect(pbx, CdrQuery(end, begin))
    assert "code 11" in caught.value.title and "end is before begin" in caught.value.title
    with pytest.raises(ServerError) as caught:
        async for _ in pbx.cdr(CdrQuery(begin, begin + timedelta(minutes=1), privacy_md5="0" * 32)):
            pass
    assert "privacy password" in caught.value.title


async def test_csv_export_has_header_and_rows(pbx) -> None:  # type: ignore[no-untyped-def]
    begin, end = recent()
    calls = await collect(pbx, CdrQuery(begin, end, {"status": "8"}))
    text = await pbx.cdr_csv(CdrQuery(begin, end, {"status": "8"}))
    lines = text.splitlines()
    assert lines[0].startswith("id,unique_id,direction")
    assert len(lines) - 1 >= len(calls)
