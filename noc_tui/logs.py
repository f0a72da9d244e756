"""Logging to a file, off the event loop, with every secret redacted on the way out."""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
from pathlib import Path

from noc_tui.paths import state_dir
from noc_tui.secret import redact
from noc_tui.untrusted import clean

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class RedactingFormatter(logging.Formatter):
    """Secrets out, and backend text made plain: a log read with `tail` in a terminal must
    not run a host name's escape codes, and a lone surrogate must not break the file."""

    def format(self, record: logging.LogRecord) -> str:
        return clean(redact(super().format(record)), lines=True)


_listeners: list[logging.handlers.QueueListener] = []


def stop_logging() -> None:
    """Flush and close the log file (also run at exit)."""
    while _listeners:
        listener = _listeners.pop()
        listener.stop()
        for handler in listener.handlers:
            handler.close()
    logging.getLogger("noc_tui").handlers[:] = []


atexit.register(stop_logging)


def default_log_path() -> Path:
    return state_dir() / "noc-tui.log"


def setup_logging(path: Path | None, level: str = "INFO") -> Path | None:
    """Send our logs to `path` through a queue, so the UI thread never waits on the disk.

    Returns the path written to, or None when the file cannot be opened (then nothing is logged:
    a console on a read-only jump host must still start).
    """
    path = path or default_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    records: queue.Queue[logging.LogRecord] = queue.Queue(-1)
    stop_logging()
    listener = logging.handlers.QueueListener(records, handler, respect_handler_level=False)
    listener.start()
    _listeners.append(listener)
    root = logging.getLogger("noc_tui")
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    root.setLevel(level.upper())
    root.propagate = False
    # httpx logs full URLs at INFO; ours are already logged without query strings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path
