"""One OpenWISP device: details, templates, location, commands; activate, deactivate, reboot,
run a command (each confirmed, refused in read-only, audited), the command followed live."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from noc_tui.api.errors import BackendError
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.api.openwisp_models import OpenWispCommand, OpenWispDevice, OpenWispLocation
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.base import NocScreen, focus_now, leave, open_over
from noc_tui.ui.screens.openwisp_fleet import Fleet
from noc_tui.ui.widgets.confirm import ConfirmAction, TypedConfirm
from noc_tui.ui.widgets.live_table import Column, LiveTable, Row
from noc_tui.ui.widgets.openwisp_format import command_text, config_text, when
from noc_tui.ui.widgets.plain import Plain

JOB = "openwisp:device"
COMMAND_COLUMNS = (
    Column("created", "Started", 16),
    Column("type", "Command", 16),
    Column("input", "Input", 18),
    Column("status", "Status", 14),
    Column("output", "Output", 40),
)


@dataclass(frozen=True)
class DeviceView:
    device: OpenWispDevice
    location: OpenWispLocation | None
    commands: list[OpenWispCommand]
    templates: dict[str, str]  # id -> name


class OpenWispDeviceScreen(NocScreen):
    TITLE = "OpenWISP device"
    NAME = "devices"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "activate", "Activate"),
        Binding("x", "deactivate", "Deactivate"),
        Binding("b", "reboot", "Reboot"),
        Binding("c", "custom", "Command"),
        Binding("delete", "delete", "Delete"),
    ]
    AUTO_FOCUS = "#ow-commands"
    CSS_PATH = "openwisp_device.tcss"

    def __init__(self, client: OpenWispClient, device: OpenWispDevice, fleet: Fleet) -> None:
        super().__init__()
        self.client = client
        self.device = device
        self.fleet = fleet
        self.view: DeviceView | None = None
        self.message = ""  # the last action's outcome, as notified

    def compose_body(self) -> ComposeResult:
        # Set up here, not in on_mount: under load the screen's Mount could run before the
        # widgets inside the Vertical were mounted (NoMatches), or after a quick quit removed
        # them. AUTO_FOCUS gives the table the focus once the screen is shown.
        command = Input(
            placeholder="Command to run on the device (enter to confirm, esc to cancel)",
            id="ow-command",
        )
        command.can_focus = False  # hidden until `c`
        commands = LiveTable(id="ow-commands")
        commands.set_columns(COMMAND_COLUMNS)
        with Vertical():
            yield Plain(self._detail_text(), id="ow-detail")
            yield command
            yield Plain("", id="ow-follow")
            yield Plain("Commands", classes="section")
            yield commands

    def poll_jobs(self) -> list[PollJob[Any]]:
        every = min(self.client.settings.poll_seconds, 5.0)  # one device is cheap to watch
        return [PollJob(JOB, self.client.name, every, self._fetch, self.show_view)]

    async def _fetch(self) -> DeviceView:
        client, device_id = self.client, self.device.id
        device = await client.device(device_id)
        location = await client.location(device_id)
        commands = await client.commands(device_id)
        templates = {t.id: t.name for t in await client.templates()} if device.templates else {}
        return DeviceView(device, location, commands, templates)

    def show_view(self, polled: Polled[DeviceView]) -> None:
        view = polled.outcome
        if isinstance(view, BackendError):
            self.notify(view.title, severity="error")
            return
        self.view = view
        self.device = self.view.device
        self.query_one("#ow-detail", Static).update(self._detail_text())
        self._show_commands(self.view.commands)

    # -- showing --------------------------------------------------------------------------

    def _detail_text(self) -> Any:
        from rich.text import Text

        d, colours = self.device, self.app.theme_variables if self.is_attached else {}
        org = self.fleet.organizations.get(d.organization)
        group = self.fleet.groups.get(d.group or "")
        text = Text()
        text.append(f"{d.name}  ", style="bold")
        text.append_text(config_text(d.config_status, colours))
        if d.is_deactivated:
            text.append("  (deactivated: no commands, no config pushed)")
        lines = [
            ("Organisation", org.name if org else d.organization or "—"),
            ("Group", group.name if group else "—"),
            ("Backend", d.backend or "no configuration"),
            ("Model / OS", f"{d.model or '—'} / {d.os or '—'}"),
            ("System", d.system or "—"),
            ("MAC", d.mac_address or "—"),
            ("Mgmt IP / last IP", f"{d.management_ip or '—'} / {d.last_ip or '—'}"),
            ("Created / modified", f"{when(d.created)} / {when(d.modified)} UTC"),
        ]
        if d.error_reason:
            lines.insert(0, ("Error", d.error_reason))
        view = self.view
        if view is not None:
            names = [view.templates.get(t, t[:8]) for t in d.templates]
            lines.append(("Templates", ", ".join(names) or "none"))
            place = view.location
            if place is None:
                lines.append(("Location", "none set"))
            else:
                coords = (
                    f" ({place.latitude:.4f}, {place.longitude:.4f})"
                    if place.latitude is not None and place.longitude is not None
                    else ""
                )
                lines.append(("Location", f"{place.name}, {place.address}{coords}"))
        else:
            lines.append(("Templates / location", "… loading"))
        for label, value in lines:
            text.append(f"\n{label:>20}: {value}")
        text.append(
            "\n\na activate · x deactivate · b reboot · c run a command · del delete · esc back"
        )
        return text

    def _show_commands(self, commands: list[OpenWispCommand]) -> None:
        colours = self.app.theme_variables
        rows = [
            Row(
                c.id,
                (
                    when(c.created),
                    c.type,
                    c.input or "—",
                    command_text(c.status, colours),
                    (c.output or "").replace("\n", " ")[:60] or "—",
                ),
            )
            for c in commands
        ]
        self.query_one(LiveTable).show(rows)
        if not rows:
            self.query_one("#ow-follow", Static).update("No command has been run on this device.")

    # -- actions --------------------------------------------------------------------------

    def _confirm(
        self, title: str, detail: str, label: str, run: Any, dialog: ConfirmAction | None = None
    ) -> None:
        if self.noc.backends.read_only:  # nothing to confirm: the client refuses and audits it
            self.run_worker(run, group="openwisp-action", exclusive=True, exit_on_error=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(run, group="openwisp-action", exclusive=True, exit_on_error=False)

        open_over(self, dialog or ConfirmAction(title, detail, label), answered)

    def action_delete(self) -> None:
        d = self.device
        # OpenWISP answers 403 unless the config reached `deactivated`: say why, ask nothing.
        if d.config_status == "deactivating":
            self.message = (
                f"{d.name}: still deactivating: OpenWISP deletes it once the device has"
                " fetched its empty configuration (status deactivated)"
            )
        elif not d.is_deactivated and d.config_status != "deactivated":
            self.message = (
                f"{d.name}: deactivate it first (x): OpenWISP only deletes deactivated devices"
            )
        else:
            self.message = ""
        if self.message:
            self.notify(self.message, severity="warning")
            return
        title = f"Delete {d.name}?"
        detail = "The device, its configuration and its command history go for good."
        dialog = TypedConfirm(title, detail, d.name, "Delete", noun="device", ident=d.id)
        self._confirm(title, detail, "Delete", self._delete, dialog)

    async def _delete(self) -> None:
        try:
            await self.client.delete(self.device)
        except BackendError as error:
            self.message = error.title
            self.notify(error.title, severity="error")
            return
        self.message = f"{self.device.name}: deleted"
        self.notify(self.message)
        leave(self)

    def action_activate(self) -> None:
        d = self.device
        self._confirm(
            f"Activate {d.name}?",
            "OpenWISP will push its configuration again.",
            "Activate",
            partial(self._switch, "activate"),
        )

    def action_deactivate(self) -> None:
        d = self.device
        self._confirm(
            f"Deactivate {d.name}?",
            "The device removes its configuration and stops taking commands.",
            "Deactivate",
            partial(self._switch, "deactivate"),
        )

    def action_reboot(self) -> None:
        d = self.device
        self._confirm(
            f"Reboot {d.name}?",
            f"{d.name} ({d.management_ip or d.last_ip or 'no IP'}) goes offline while it restarts.",
            "Reboot",
            self._reboot,
        )

    def action_custom(self) -> None:
        box = self.query_one("#ow-command", Input)
        box.add_class("shown")
        box.can_focus = True
        focus_now(box)

    @on(Input.Submitted, "#ow-command")
    def _command_typed(self, event: Input.Submitted) -> None:
        command = event.value.strip()
        event.input.remove_class("shown")
        event.input.can_focus = False
        event.input.value = ""
        self.query_one(LiveTable).focus()
        if not command:
            return
        self._confirm(
            f"Run a command on {self.device.name}?",
            f"$ {command}",
            "Run",
            partial(self._custom, command),
        )

    def action_back(self) -> None:
        box = self.query_one("#ow-command", Input)
        if box.has_focus:  # escape leaves the command box first, then the screen
            box.remove_class("shown")
            box.can_focus = False
            self.query_one(LiveTable).focus()
            return
        leave(self)

    async def _switch(self, verb: str) -> None:
        try:
            method = self.client.activate if verb == "activate" else self.client.deactivate
            self.device = await method(self.device)
        except BackendError as error:
            self.message = error.title
            self.notify(error.title, severity="error")
            return
        self.message = f"{self.device.name}: {verb}d ({self.device.config_status})"
        self.notify(f"{self.device.name}: {verb}d ({self.device.config_status})")
        self.query_one("#ow-detail", Static).update(self._detail_text())

    async def _reboot(self) -> None:
        await self._run(self.client.reboot(self.device))

    async def _custom(self, command: str) -> None:
        await self._run(self.client.run_command(self.device, command))

    async def _run(self, starting: Any) -> None:
        shown = self.query_one("#ow-follow", Static)
        try:
            command: OpenWispCommand = await starting
            async for now in self.client.follow(command, every=0.5, within=60.0):
                colours = self.app.theme_variables
                line = command_text(now.status, colours)
                line.append(f"  {now.type} {now.input}".rstrip())
                if now.output:
                    line.append(f": {now.output[:120]}")
                shown.update(line)
                command = now
        except BackendError as error:
            shown.update(f"✗ {error.title}")
            self.message = error.title
            self.notify(error.title, severity="error")
            return
        if not command.done:
            shown.update(
                f"… {command.type} still in progress after 60 s: the device may be"
                " unreachable; its status stays in the history below"
            )
