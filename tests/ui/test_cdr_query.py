"""The call records query line: words → range and the PBX's filter fields, and back."""

from __future__ import annotations

from datetime import datetime

import pytest

from noc_tui.ui.cdr_query import QueryError, describe, moment, parse

NOW = datetime(2026, 11, 18, 11, 6, 40)


def test_fields_wildcards_and_words() -> None:
    spec = parse("caller=0612% called=2% dir=in status=noanswer group=Recep% Rossi", NOW)
    assert spec.filters == {
        "caller_num": "0612%",
        "called_num": "2%",
        "direction": "1",
        "status": "4",
        "called_callgroup": "Recep%",
        "any": "%Rossi%",  # a bare word is looked for inside any field
    }
    assert not spec.custom_range
    assert parse("%Peña", NOW).filters == {"any": "%Peña"}  # its own '%' is kept as given


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("-2h", datetime(2026, 11, 18, 9, 6, 40)),
        ("-30m", datetime(2026, 11, 18, 10, 36, 40)),
        ("-3d", datetime(2026, 11, 15, 11, 6, 40)),
        ("08:15", datetime(2026, 11, 18, 8, 15)),
        ("2026-11-17", datetime(2026, 11, 17)),
        ("2026-11-17T14:30", datetime(2026, 11, 17, 14, 30)),
        ("2026-11-17_14:30:05", datetime(2026, 11, 17, 14, 30, 5)),
    ],
)
def test_moments(text: str, expected: datetime) -> None:
    assert moment(text, NOW) == expected


def test_custom_range_and_back_to_words() -> None:
    spec = parse("from=2026-11-17 to=-1h dir=out status=answered", NOW)
    assert (spec.begin, spec.end) == (datetime(2026, 11, 17), datetime(2026, 11, 18, 10, 6, 40))
    assert describe(spec) == "from=2026-11-17T00:00 to=2026-11-18T10:06 dir=out status=answered"
    assert parse(describe(spec), NOW).filters == spec.filters


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("dir=sideways", "dir=sideways"),
        ("status=happy", "status=happy"),
        ("colour=red", "unknown field 'colour'"),
        ("from=yesterday", "'yesterday'"),
        ("to=25:00", "not a time of day"),
        ("caller=", "caller= needs a value"),
    ],
)
def test_bad_words_say_which_and_why(text: str, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text, NOW)
    assert says in str(caught.value)
