"""How PBX things read on screen: registration states as symbol + word, secrets as "set",
callgroup members by priority. Colours only through theme variables."""

from __future__ import annotations

from rich.text import Text

from noc_tui.api.kalliope_models import Callgroup, Conference, Failover, Registration
from noc_tui.ui.widgets.live_table import Column

# Symbol, word and theme variable per registration status: never colour alone.
STATUS_LOOK = {
    "OK": ("✓", "registered", "state-ok"),
    "UNREACHABLE": ("✗", "unreachable", "state-down"),
    "UNKNOWN": ("?", "unknown", "state-degraded"),
    "": ("·", "not registered", "state-unknown"),
}
HIDDEN = "•••••• set (hidden)"


def status_text(status: str, colours: dict[str, str]) -> Text:
    symbol, word, variable = STATUS_LOOK.get(status, STATUS_LOOK["UNKNOWN"])
    return Text(f"{symbol} {word}", style=colours.get(variable, ""))


def rtt_text(reg: Registration | None) -> str:
    return f"{reg.rtt_ms:g} ms" if reg and reg.rtt_ms is not None else "—"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def secret_text(is_set: bool) -> str:
    """A secret is only ever shown as present or absent: never its value, never its length."""
    return HIDDEN if is_set else "— not set"


def failover_text(failover: Failover) -> str:
    intro = f' (intro "{failover.intro}")' if failover.intro else ""
    return failover.words + intro


def members_text(group: Callgroup, limit: int = 6) -> str:
    """'1: 201 202 │ 2: 203': who rings first, then after the timeout."""
    steps = []
    for step in group.priorities:
        extens = [m.extension for m in step.members]
        shown = " ".join(extens[:limit]) + (
            f" +{len(extens) - limit}" if len(extens) > limit else ""
        )
        steps.append(f"{step.id}: {shown}")
    return " │ ".join(steps) or "no members"


# Cells in the order of these columns: callgroup_cells and conference_cells below.
GROUP_COLUMNS = (
    Column("id", "Id", 8),
    Column("name", "Callgroup", 22),
    Column("dial", "Dial", 5),
    Column("on", "On", 3),
    Column("ring", "Ring", 5),
    Column("members", "Members by priority", 36),
    Column("failover", "Failover", 36),
)
CONFERENCE_COLUMNS = (
    Column("name", "Conference", 24),
    Column("on", "On", 3),
    Column("internal", "Internal", 8),
    Column("external", "External", 15),
    Column("admin", "Admin PIN", 9),
    Column("user", "User PIN", 8),
)


def callgroup_cells(group: Callgroup) -> tuple[str, ...]:
    return (
        group.id,
        group.name,
        group.selection or "—",
        yes_no(group.enabled),
        f"{group.timeout} s" if group.timeout is not None else "—",
        members_text(group),
        group.failover.words,
    )


def conference_cells(room: Conference) -> tuple[str, ...]:
    return (
        room.name,
        yes_no(room.enabled),
        room.internal or "—",
        room.external or "—",
        "set" if room.admin_pin_set else "none",
        "set" if room.user_pin_set else "none",
    )
