"""Ordering, filtering and note display of the alerts table, without a terminal."""

from __future__ import annotations

from noc_tui.api.librenms_models import Alert
from noc_tui.ui.screens.alerts import keep, last_note, sort_alerts


def alert(i: int, severity: str, ts: str, state: int = 1, note: str = "") -> Alert:
    return Alert(
        id=i,
        device_id=1,
        hostname=f"h{i}",
        rule_id=1,
        state=state,
        timestamp=ts,
        severity=severity,
        rule_name="Rule",
        note=note,
    )


def test_most_severe_then_oldest_first() -> None:
    rows = [
        alert(1, "warning", "2026-11-22 10:00:00"),
        alert(2, "critical", "2026-11-22 12:00:00"),
        alert(3, "critical", "2026-11-22 09:00:00"),
        alert(4, "ok", "2026-11-20 09:00:00"),
    ]
    assert [a.id for a in sort_alerts(rows)] == [3, 2, 1, 4]


def test_state_filter_defaults_hide_ok_only() -> None:
    rows = [alert(1, "warning", "t", 0), alert(2, "warning", "t", 2), alert(3, "critical", "t", 3)]
    assert [a.id for a in rows if keep(a, "not ok", "any", "")] == [2, 3]
    assert [a.id for a in rows if keep(a, "acknowledged", "any", "")] == [2]
    assert [a.id for a in rows if keep(a, "all", "critical", "")] == [3]
    assert [a.id for a in rows if keep(a, "all", "any", "h2")] == [2]


def test_note_shows_the_last_words_without_librenms_prefix() -> None:
    note = (
        "Sun, 22 Nov 2026 16:02:13 +0100 - Ack (asmith) Customer port flapping\n"
        "Sun, 22 Nov 2026 16:40:55 +0100 - Ack (asmith) Second port now down as well"
    )
    assert last_note(note) == "Second port now down as well"
    assert last_note("") == ""


def test_alert_detail_says_which_port_a_fault_is_on() -> None:
    from noc_tui.api.librenms_models import Alert
    from noc_tui.ui.screens.alert_detail import AlertDetailScreen

    fault = Alert.parse(
        {
            "id": 5521,
            "entity_type": "port",
            "entity_key": "port|2107",
            "details": {"rule": [{"ifName": "Ethernet12", "ifAlias": "Cust: ACME-BCN-0042"}]},
            "name": "Port status up/down",
        }
    )
    text = AlertDetailScreen(None, fault)._alert_text().plain  # type: ignore[arg-type]
    assert "On        port Ethernet12 (Cust: ACME-BCN-0042)" in text, text
