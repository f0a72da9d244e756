"""The audit log: one JSON line per action attempted on a backend, append-only.

Written from the client layer (so no path around it), off the event loop, redacted, and kept
even when a backend forgets (LibreNMS clears an ack note when the alert recovers).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import socket
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from noc_tui.paths import state_dir
from noc_tui.secret import redact


def default_audit_path() -> Path:
    return state_dir() / "audit.jsonl"


@dataclass(frozen=True)
class AuditEntry:
    at: float
    operator: str
    host: str
    backend: str
    action: str
    target: str
    outcome: str  # "ok", "refused", "failed"
    detail: str = ""


class AuditLog:
    """Appends entries to a JSONL file; `record` never blocks the caller's event loop."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_audit_path()
        self.operator = _operator()
        self.host = socket.gethostname()
        self._lock = threading.Lock()

    async def record(
        self, at: float, backend: str, action: str, target: str, outcome: str, detail: str = ""
    ) -> AuditEntry:
        entry = AuditEntry(
            at, self.operator, self.host, backend, action, redact(target), outcome, redact(detail)
        )
        await asyncio.to_thread(self._append, entry)
        return entry

    def _append(self, entry: AuditEntry) -> None:
        # ASCII with escapes: a CPE name's C1 or bidi codes stay inert under `cat`, and a lone
        # surrogate cannot break the write; every character is still there for `jq`.
        line = json.dumps(asdict(entry), ensure_ascii=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line)

    def read(self) -> list[dict[str, Any]]:
        """All entries, oldest first (for tests and an audit view); call off the event loop."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
