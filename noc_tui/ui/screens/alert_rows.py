"""Alerts as table rows, worked out once per change of each alert.

With 10,000 open alerts a keystroke in the filter or a poll must not re-read 10,000
timestamps and notes: each alert's cells and filter text are kept, keyed by id, until
that alert changes (a poll brings an unequal alert) or goes away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text

from noc_tui.api.librenms_models import Alert, server_time
from noc_tui.ui.format import age_text, truncate
from noc_tui.ui.widgets.librenms_format import severity_badge
from noc_tui.ui.widgets.live_table import Row

# LibreNMS prefixes each note line with "<date> - Ack (<user>) ": the table shows the words.
NOTE_PREFIX = re.compile(r"^.*? - (?:Un)?Ack \([^)]*\) ?")


def last_note(note: str) -> str:
    lines = [line for line in note.splitlines() if line.strip()]
    return NOTE_PREFIX.sub("", lines[-1]) if lines else ""


def haystack(alert: Alert) -> str:
    """What the `/` filter looks in."""
    return (
        f"{alert.hostname} {alert.entity} {alert.entity_about} {alert.rule_name} {alert.note}"
        f" {alert.state_word}"
    ).lower()


def rule_cell(alert: Alert) -> str:
    """The rule, after the port or sensor it fired on when LibreNMS says (per-entity faults:
    one row per port, otherwise alike); the entity first, so a cut column still tells them
    apart."""
    rule = alert.rule_name or f"rule {alert.rule_id}"
    return f"{alert.entity} · {rule}" if alert.entity else rule


@dataclass(slots=True)
class Worked:
    """What one alert shows, apart from the age (which moves with the clock)."""

    alert: Alert
    key: str
    when: float | None  # unix time of the last state change
    host: str
    rule: str
    state: str
    note: str
    hay: str
    row: Row | None = None  # the last row shown: reused while nothing in it changed


class AlertRows:
    def __init__(self) -> None:
        self.zone: tzinfo | None = None
        self._worked: dict[int, Worked] = {}

    def polled(self, alerts: Iterable[Alert]) -> None:
        """Keep what was worked out for alerts equal to before; forget the rest."""
        before, self._worked = self._worked, {}
        for alert in alerts:
            done = before.get(alert.id)
            if done is not None and _shows_the_same(done.alert, alert):
                done.alert = alert  # the same alert, a new object: identity checks hold now
                self._worked[alert.id] = done

    def of(self, alert: Alert, zone: tzinfo) -> Worked:
        if zone != self.zone:  # the server's zone changed: every age is to be re-read
            self.zone, self._worked = zone, {}
        done = self._worked.get(alert.id)
        if done is None or done.alert is not alert:
            done = Worked(
                alert,
                str(alert.id),
                server_time(alert.timestamp, zone),
                alert.hostname,
                rule_cell(alert),
                alert.state_word,
                truncate(last_note(alert.note), 30),
                haystack(alert),
            )
            self._worked[alert.id] = done
        return done

    def hay_of(self, alerts: list[Alert], zone: tzinfo) -> list[str]:
        """The filter text of each alert, in order."""
        if zone != self.zone:
            self.zone, self._worked = zone, {}
        worked, of = self._worked, self.of
        found = []
        for alert in alerts:
            done = worked.get(alert.id)
            if done is None or done.alert is not alert:
                done = of(alert, zone)
            found.append(done.hay)
        return found

    def rows(
        self,
        alerts: list[Alert],
        zone: tzinfo,
        now: float,
        selected: set[int],
        colours: Mapping[str, str],
        badges: dict[str, Text],
    ) -> list[Row]:
        """`badges`: one Text per severity shared by every row (10,000 alerts, a handful of
        distinct cells); the caller empties it when the theme's colours change."""
        ages: dict[int, str] = {}  # a few dozen distinct coarse ages among 10,000 alerts
        rows = []
        if zone != self.zone:
            self.zone, self._worked = zone, {}
        worked, of = self._worked, self.of
        for alert in alerts:
            done = worked.get(alert.id)
            if done is None or done.alert is not alert:
                done = of(alert, zone)
            if done.when is None:
                age = "?"
            else:
                seconds = max(0.0, now - done.when)
                bucket = _age_bucket(seconds)
                age = ages.get(bucket) or ages.setdefault(bucket, age_text(seconds))
            severity = badges.get(alert.severity) or badges.setdefault(
                alert.severity, severity_badge(alert.severity, colours)
            )
            mark = "●" if alert.id in selected else " "
            row = done.row
            # The same Row object when nothing changed: no new objects for the garbage
            # collector to chase, and the table's comparison stops at identity.
            if (
                row is None
                or row.cells[3] != age
                or row.cells[0] != mark
                or row.cells[1] is not severity
            ):
                # In the order of the alerts screen's COLUMNS.
                cells = (mark, severity, done.state, age, done.host, done.rule, done.note)
                row = done.row = Row(done.key, cells)
            rows.append(row)
        return rows


def _shows_the_same(old: Alert, new: Alert) -> bool:
    """Every field a row or the filter shows; cheaper than the dataclass's tuple compare."""
    return (
        old.timestamp == new.timestamp
        and old.state == new.state
        and old.note == new.note
        and old.hostname == new.hostname
        and old.rule_name == new.rule_name
        and old.rule_id == new.rule_id
        and old.severity == new.severity
        and old.entity == new.entity
        and old.entity_about == new.entity_about
    )


def _age_bucket(seconds: float) -> int:
    """Ages that `age_text` writes the same share a bucket (it is coarse on purpose)."""
    if seconds < 60:
        return -1 - int(seconds // 10)
    if seconds < 3600:
        return int(seconds // 60)
    if seconds < 86400:
        return 100 + int(seconds // 3600)
    return 1000 + int(seconds // 86400)
