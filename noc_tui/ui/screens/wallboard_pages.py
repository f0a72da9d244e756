"""The wallboard's tables: their columns and rows, from the data the overview jobs bring."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text

from noc_tui.api.librenms_models import Alert
from noc_tui.ui.overview_data import LEVEL_VARIABLES, PbxCounts
from noc_tui.ui.widgets.librenms_format import server_age, severity_badge
from noc_tui.ui.widgets.live_table import Column, Row

ALERT_ROWS = 40  # a wall shows what fits; the alerts screen has them all
ALERT_COLUMNS = (
    Column("severity", "Severity", 11),
    Column("host", "Host", 28),
    Column("rule", "Rule", 30),
    Column("state", "State", 13),
    Column("since", "Since", 11),
)
PBX_COLUMNS = (
    Column("pbx", "PBX", 16),
    Column("state", "State", 20),
    Column("ok", "Registered", 10),
    Column("missing", "Not registered", 14),
    Column("total", "Enabled", 8),
    Column("updated", "Updated", 16),
)
MISSING_COLUMNS = (
    Column("pbx", "PBX", 16),
    Column("exten", "Ext", 8),
    Column("name", "Name", 28),
    Column("status", "Status", 18),
)
DOWN_COLUMNS = (
    Column("host", "Host", 28),
    Column("reason", "Reason", 10),
    Column("polled", "Last polled", 11),
)
REGISTRATION_WORDS = {
    "UNREACHABLE": "✗ unreachable",
    "UNKNOWN": "? unknown",
    "not registered": "· not registered",
}


def alert_rows(alerts: list[Alert], colours: dict[str, str], zone: tzinfo, now: float) -> list[Row]:
    """Most severe first, then the oldest: the longest-standing problem on top."""
    ordered = sorted(alerts, key=lambda a: (-a.severity_rank, a.timestamp, a.id))
    rows = []
    for alert in ordered[:ALERT_ROWS]:
        severity = severity_badge(alert.severity, colours)
        since = server_age(alert.timestamp, zone, now)
        cells = (severity, alert.hostname, alert.rule_name, alert.state_word, since)
        rows.append(Row(str(alert.id), cells))
    return rows


def pbx_row(
    name: str, counts: PbxCounts | None, error: bool, age: str, colours: dict[str, str]
) -> Row:
    level = "down" if error else "degraded" if counts and counts.missing else "ok"
    word = "✗ down" if error else "▲ some missing" if level == "degraded" else "✓ all ok"
    if counts is None and not error:
        level, word = "unknown", "… waiting"
    cells = (
        name,
        Text(word, style=colours.get(LEVEL_VARIABLES[level], "")),
        str(counts.registered) if counts else "—",
        str(counts.missing) if counts else "—",
        str(counts.extensions) if counts else "—",
        age,
    )
    return Row(name, cells)


def missing_rows(name: str, counts: PbxCounts | None) -> list[Row]:
    rows = []
    for exten, person, status in counts.not_registered if counts else ():
        word = REGISTRATION_WORDS.get(status, f"? {status.lower()}")
        rows.append(Row(f"{name}:{exten}", (name, exten, person, word)))
    return rows
