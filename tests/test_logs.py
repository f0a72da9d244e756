"""The log file takes whatever a backend sent: a lone surrogate decoded from JSON
(`"\\ud800"`) or a control code in a message, an argument or a traceback is written as a
visible placeholder, never an encoding error that loses the line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from noc_tui.logs import setup_logging, stop_logging
from noc_tui.untrusted import SUBSTITUTE


def test_a_lone_surrogate_is_logged_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "noc-tui.log"
    assert setup_logging(log_file, "DEBUG") == log_file
    log = logging.getLogger("noc_tui.test")
    try:
        log.warning("host \ud800 in the message")
        log.warning("host %s in an argument", "x\udfff\x1b[2J")
        try:
            raise ValueError("bad field \ud800")
        except ValueError:
            log.exception("traceback of %r", "\udc80")
        log.info("after them")
    finally:
        stop_logging()  # flushes the queue: every line is in the file after this
    text = log_file.read_text(encoding="utf-8")  # strict: the file is valid UTF-8
    assert f"host {SUBSTITUTE} in the message" in text
    assert f"host x{SUBSTITUTE}␛[2J in an argument" in text
    assert f"ValueError: bad field {SUBSTITUTE}" in text
    assert "traceback of '\\udc80'" in text  # repr shows it escaped, as it was
    assert "after them" in text
    assert "Logging error" not in capsys.readouterr().err
