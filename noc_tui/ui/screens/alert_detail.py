"""One alert opened: its rule, its device (status, uptime, location, hardware) and its notes."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import Alert, Device
from noc_tui.clock import SYSTEM_CLOCK
from noc_tui.ui.screens.base import leave
from noc_tui.ui.widgets.librenms_format import device_uptime_text, server_age
from noc_tui.ui.widgets.plain import Plain


def device_lines(device: Device, zone: tzinfo, now: float) -> list[str]:
    status = "✓ up" if device.up else f"✗ down ({device.down_reason or 'no reason given'})"
    return [
        f"Device    {device.hostname} ({device.sys_name})",
        f"Status    {status}",
        f"Uptime    {device_uptime_text(device)}",
        f"Location  {device.location or '-'}",
        f"Hardware  {device.hardware or '-'} · {device.os or '-'} {device.version}".rstrip(),
        f"Polled    {server_age(device.last_polled, zone, now)}",
    ]


class AlertDetailScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]
    CSS_PATH = "alert_detail.tcss"

    def __init__(self, client: LibreNmsClient, alert: Alert) -> None:
        super().__init__()
        self.client = client
        self.alert = alert

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Plain(self._alert_text(), id="alert-info")
            yield Plain("… loading the device", id="alert-device")
        yield Footer(compact=True)

    def _alert_text(self) -> Text:
        a = self.alert
        lines = [
            f"Alert {a.id}: {a.rule_name or f'rule {a.rule_id}'}",
            f"Severity  {a.severity or '?'}    State  {a.state_word}"
            + ("    (until clear)" if a.acknowledged and a.until_clear else ""),
            f"Since     {a.timestamp or '?'}",
        ]
        if a.entity:
            about = f" ({a.entity_about})" if a.entity_about else ""
            lines.insert(1, f"On        {a.entity_type or 'entity'} {a.entity}{about}")
        if a.procedure:
            lines.append(f"Procedure {a.procedure}")
        if a.rule_notes:
            lines.append(f"Rule notes {a.rule_notes}")
        lines.append("Notes:" if a.note else "Notes:    none")
        lines.extend(f"  {line}" for line in a.note.splitlines())
        return Text("\n".join(lines))

    def action_back(self) -> None:
        leave(self)

    def on_mount(self) -> None:
        self.run_worker(self._load(), group="alert-device", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        box = self.query_one("#alert-device", Static)
        try:
            device = await self.client.device(self.alert.device_id)
        except BackendError as error:
            box.update(Text(f"✗ device: {error.title}"))
            return
        clock = getattr(self.app, "clock", SYSTEM_CLOCK)  # the console's (frozen in tests)
        lines = device_lines(device, self.client.server_zone, clock.now())
        box.update(Text("\n".join(lines)))
