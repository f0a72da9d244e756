"""Actions: refused in read-only mode by the client, sent once, and always audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import ActionRefused, ServerError
from noc_tui.audit import AuditLog


async def test_action_is_audited_with_its_outcome(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    audit = AuditLog(tmp_path / "audit.jsonl")
    backends = Backends(clean_lab.config(), audit=audit)
    session = backends.clients["librenms"].session
    try:
        clean_lab.set_faults("librenms", "error_rate=1")
        with pytest.raises(ServerError):
            await session.action(
                "ack alert", "alert 7", "PUT", "/api/v0/alerts/7", json={"note": "x"}
            )
        assert session.health.requests == 1  # never retried
    finally:
        await backends.aclose()
    (entry,) = audit.read()
    assert entry["action"] == "ack alert" and entry["target"] == "alert 7"
    assert entry["outcome"] == "failed" and "server error" in entry["detail"]
    assert entry["operator"] and entry["backend"] == "librenms"


async def test_read_only_refusal_is_audited_and_nothing_is_sent(clean_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    audit = AuditLog(tmp_path / "audit.jsonl")
    backends = Backends(clean_lab.config(), read_only=True, audit=audit)
    session = backends.clients["krill"].session
    try:
        with pytest.raises(ActionRefused):
            await session.action("reboot CPE", "cpe 12", "POST", "/api/v2/isp/cpes/12/reboot")
        assert session.health.requests == 0
    finally:
        await backends.aclose()
    assert [e["outcome"] for e in audit.read()] == ["refused"]
