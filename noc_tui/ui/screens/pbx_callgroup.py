"""One callgroup in full: who rings at each priority, whether their phones are registered now,
how long each priority rings, and where the call goes when nobody answers."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from noc_tui.api.kalliope_models import Callgroup, Registration
from noc_tui.ui.format import label_grid
from noc_tui.ui.widgets.dialog import Dialog
from noc_tui.ui.widgets.pbx_format import failover_text, status_text, yes_no
from noc_tui.ui.widgets.plain import Plain
from noc_tui.untrusted import line


class CallgroupDetail(Dialog[None]):
    CSS_PATH = "pbx_callgroup.tcss"
    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close")]

    def __init__(
        self, pbx: str, group: Callgroup, registrations: Mapping[str, Registration]
    ) -> None:
        super().__init__()
        self.pbx = pbx
        self.group = group
        self.registrations = registrations

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Plain(self._body(), id="callgroup-detail")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def _body(self) -> Group:
        g, colours = self.group, self.app.theme_variables
        ring = f"{g.timeout} s per priority" if g.timeout is not None else "—"
        head = label_grid(
            [
                ("Callgroup", line(f"{g.name}  (id {g.id} on {self.pbx})", style="bold")),
                ("Dial", g.selection or "—"),
                ("Enabled", yes_no(g.enabled)),
                ("Rings", ring),
                ("Failover", failover_text(g.failover)),
            ]
        )
        if not g.priorities:
            return Group(head, Text("\nno members: a call here goes straight to the failover"))
        # One table for every priority, so the columns line up; a priority's number on its
        # first member only, and an empty line between priorities.
        members = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
        for label in ("Priority", "Ext", "Name", "Registration now"):
            members.add_column(label, header_style="bold")
        for index, step in enumerate(g.priorities):
            if index:
                members.add_row()
            # A Rich table reads strings as markup: every PBX value goes in as plain Text.
            if not step.members:
                members.add_row(line(step.id), Text("—"), Text("no members"), Text(""))
            for row, member in enumerate(step.members):
                reg = self.registrations.get(member.extension)
                members.add_row(
                    line(step.id if row == 0 else ""),
                    line(member.extension),
                    line(member.display_name or "—"),
                    status_text(reg.status if reg else "", colours),
                )
        return Group(head, Text(""), members)

    def action_close(self) -> None:
        self.dismiss(None)
