"""The strict JSON decoder: what `json.loads` lets through is a malformed answer here."""

from __future__ import annotations

import logging

import httpx
import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import MalformedResponse
from noc_tui.api.librenms_models import Alert
from noc_tui.api.strict_json import MAX_DEPTH, Malformed, loads, nesting_over


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"NaN", "NaN"),
        (b'{"count": Infinity}', "Infinity"),
        (b"[-Infinity]", "-Infinity"),
        (b'{"count": 1e400}', "out of range"),
        (b'{"count": ' + b"1" * 5000 + b"}", "5000 digits"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "deeper than 64"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "deeper than 64"),
        (b"\xff{}", "does not parse"),
        (b"[" * 100_000, "does not parse"),
    ],
)
def test_refused_with_what_was_wrong(body: bytes, what: str) -> None:
    with pytest.raises(Malformed) as caught:
        loads(body)
    assert what in caught.value.what or "deeper" in caught.value.what


def test_real_shapes_pass() -> None:
    assert loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert loads(b'{"name": "[[[[{{{{\\"", "v": [1.5, -2, null, true]}') == {
        "name": '[[[[{{{{"',
        "v": [1.5, -2, None, True],
    }
    assert loads(b'"\\ud800"') == "\ud800"  # kept: the screens show it as \ufffd


def test_nesting_is_measured_outside_strings_only() -> None:
    deep_text = b'{"a": "' + b"[" * 500 + b'", "b": "\\\\", "c": "\\"]]]"}'
    assert not nesting_over(deep_text)
    assert nesting_over(b'[{"x": [' * 30 + b"1" + b"]}]" * 30)


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_the_net_turns_a_parse_bug_into_malformed_naming_the_backend(
    clean_lab, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def broken(row: object) -> Alert:
        raise KeyError("hostname")

    monkeypatch.setattr(Alert, "parse", broken)
    config = clean_lab.config()
    nms = next(b for b in config.backends if b.kind == "librenms")
    answer = httpx.Response(200, json={"status": "ok", "alerts": [{"id": 1}]})
    made = Backends(config, transports={nms.url: httpx.MockTransport(lambda _: answer)})
    # Held on the logger itself: the console's log setup (run by other tests) stops noc_tui's
    # records from reaching the root logger, where caplog listens.
    kept = Kept()
    logger = logging.getLogger("noc_tui.api")
    logger.addHandler(kept)
    try:
        with pytest.raises(MalformedResponse) as caught:
            await made.clients[nms.name].alerts()
    finally:
        logger.removeHandler(kept)
        await made.aclose()
    assert caught.value.backend == nms.name and "alerts" in caught.value.title
    assert "KeyError" in caught.value.title
    assert any(record.exc_info for record in kept.records)  # the traceback, for the log file


def test_librenms_numbers_in_strings_out_of_range_are_defaults() -> None:
    from noc_tui.api.librenms_models import as_float, as_int

    for text in ("1e400", "inf", "-inf", "nan"):
        assert as_int(text, 7) == 7  # OverflowError for "1e400" and "inf" before
        assert as_float(text, 1.5) == 1.5
    assert as_float(10**400, 1.5) == 1.5  # OverflowError (int too large for a float) before
    assert as_float(float("nan"), 1.5) == 1.5 and as_float(2**70) == float(2**70)
