"""One extension on one PBX: who it is, where its phone registered from and how that changed
during this session, its configuration (secrets only ever as "set"), its voicemail, and the
callgroups it rings in. Answers "my phone does not ring" without leaving the keyboard."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from noc_tui.api.errors import BackendError
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.kalliope_models import (
    Callgroup,
    Extension,
    ExtensionConfig,
    Registration,
    RegistrationHistory,
    VoicemailCount,
)
from noc_tui.ui.format import age_text, label_grid
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.screens.base import NocScreen, leave
from noc_tui.ui.widgets.pbx_format import (
    failover_text,
    rtt_text,
    secret_text,
    status_text,
    yes_no,
)
from noc_tui.ui.widgets.plain import Plain

JOB = "pbx:extension"
WATCH_SECONDS = 5.0  # one extension is cheap to watch closely while the operator looks at it


@dataclass(frozen=True)
class ExtensionDetail:
    brief: Extension | None
    registration: Registration | None
    config: ExtensionConfig | None
    voicemail: VoicemailCount | None
    callgroups: list[Callgroup]  # only those the extension rings in


async def fetch_detail(client: KalliopeClient, exten: str) -> ExtensionDetail:
    """Everything the view shows, from five small GETs (the PBX has no single call for it)."""
    briefs = await client.extensions(exten)
    registrations = await client.registrations(exten)
    configs = await client.extension_configs(exten)
    config = configs[0] if configs else None
    has_mailbox = config is None or config.vm_enabled
    voicemail = await client.voicemail_count(exten) if has_mailbox else None
    groups = [g for g in await client.callgroups() if g.priority_of(exten) is not None]
    return ExtensionDetail(
        briefs[0] if briefs else None,
        registrations[0] if registrations else None,
        config,
        voicemail,
        groups,
    )


class PbxExtensionScreen(NocScreen):
    TITLE = "PBX extension"
    NAME = "pbx"
    BINDINGS = [Binding("escape", "back", "Back")]
    CSS_PATH = "pbx_extension.tcss"
    WIDE = 110  # columns from which the sections sit side by side instead of scrolling

    def __init__(
        self,
        client: KalliopeClient,
        exten: str,
        history: RegistrationHistory,
        brief: Extension | None = None,
        registration: Registration | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.exten = exten
        self.history = history
        # What the PBX table already knew, shown at once while the first poll runs.
        self.detail = ExtensionDetail(brief, registration, None, None, [])
        self.loaded = False

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="ext-head")
        yield Plain("", id="ext-error")
        with VerticalScroll(id="ext-body"), Horizontal(id="ext-cols"):
            for column in (("now", "groups"), ("config", "history")):
                with Vertical(classes="ext-col"):
                    for part in column:
                        yield Plain("", id=f"ext-{part}", classes="ext-section")

    def on_mount(self) -> None:
        self.query_one("#ext-error", Static).display = False
        self.query_one("#ext-body").focus()  # arrows and page keys scroll at 80x24
        self.show()

    def on_resize(self) -> None:
        self.query_one("#ext-cols").set_class(self.size.width >= self.WIDE, "wide")

    def poll_jobs(self) -> list[PollJob[Any]]:
        every = min(self.client.settings.poll_seconds, WATCH_SECONDS)
        return [PollJob(JOB, self.client.name, every, self._fetch, self.show_detail)]

    async def _fetch(self) -> ExtensionDetail:
        return await fetch_detail(self.client, self.exten)

    def show_detail(self, polled: Polled[ExtensionDetail]) -> None:
        detail = polled.outcome
        error = self.query_one("#ext-error", Static)
        error.display = isinstance(detail, BackendError)
        if isinstance(detail, BackendError):
            # The last good data stays on screen under the error: it says how old it is.
            error.update(f"✗ {detail.title}")
            return
        self.detail, self.loaded = detail, True
        self.history.record(self.exten, self.detail.registration, self.noc.clock.now())
        self.show()

    # -- showing --------------------------------------------------------------------------

    def show(self) -> None:
        self.query_one("#ext-head", Static).update(self._head())
        self.query_one("#ext-now", Static).update(self._now())
        self.query_one("#ext-config", Static).update(self._config())
        self.query_one("#ext-groups", Static).update(self._groups())
        self.query_one("#ext-history", Static).update(self._history())

    def _colours(self) -> dict[str, str]:
        return self.app.theme_variables

    def _head(self) -> Text:
        d = self.detail
        name = d.brief.name if d.brief else (d.config.name if d.config else "")
        head = Text(f"Extension {self.exten}  {name}  on PBX {self.client.name}   ")
        head.append_text(
            status_text(d.registration.status if d.registration else "", self._colours())
        )
        return head

    def _now(self) -> Group:
        d, reg = self.detail, self.detail.registration
        enabled = "—" if d.brief is None else yes_no(d.brief.enabled)
        rows: list[tuple[str, str | Text]] = [
            ("PBX", f"{self.client.name} ({self.client.settings.display_url})"),
            ("Enabled", enabled),
            ("Status", status_text(reg.status if reg else "", self._colours())),
            ("IP", reg.ip if reg and reg.ip else "—"),
            ("Port", reg.port if reg and reg.port else "—"),
            ("User agent", reg.user_agent if reg and reg.user_agent else "—"),
            ("RTT", rtt_text(reg)),
        ]
        return Group(Text("Registration", style="bold underline"), label_grid(rows))

    def _config(self) -> Group:
        cfg, title = self.detail.config, Text("Configuration", style="bold underline")
        if cfg is None:
            waiting = "loading…" if not self.loaded else "the PBX gave no configuration"
            return Group(title, Text(waiting))
        vm = self.detail.voicemail
        if not cfg.vm_enabled:
            mailbox = "no mailbox (voicemail off)"
        else:
            mailbox = vm.words if vm else "no mailbox on the PBX"
        rows: list[tuple[str, str | Text]] = [
            ("SIP secret", secret_text(cfg.sip_secret_set)),
            ("Web password", secret_text(cfg.gui_password_set)),
            ("Phonebook mgr", yes_no(cfg.phonebook_manager)),
            ("Voicemail", mailbox),
            ("VM PIN", secret_text(cfg.vm_secret_set) if cfg.vm_enabled else "—"),
            ("VM e-mail", cfg.vm_email or "—"),
            ("VM attach/delete", f"{yes_no(cfg.vm_attach)} / {yes_no(cfg.vm_delete)}"),
            ("Failover", failover_text(cfg.failover)),
        ]
        return Group(title, label_grid(rows))

    def _groups(self) -> Group:
        title = Text("Callgroups", style="bold underline")
        groups = self.detail.callgroups
        if not groups:
            return Group(title, Text("loading…" if not self.loaded else "in no callgroup"))
        rows: list[tuple[str, str | Text]] = []
        for group in groups:
            step = group.priority_of(self.exten)
            ring = f"{group.timeout} s" if group.timeout is not None else "?"
            state = "" if group.enabled else "  (disabled)"
            dial = f" · dial {group.selection}" if group.selection else ""
            rows.append(
                (
                    group.name,
                    f"priority {step}/{len(group.priorities)} · rings {ring}{dial}{state}",
                )
            )
        return Group(title, label_grid(rows))

    def _history(self) -> Group:
        title = Text("Seen this session", style="bold underline")
        changes = self.history.of(self.exten)
        if not changes:
            return Group(title, Text("nothing yet"))
        now = self.noc.clock.now()
        rows: list[tuple[str, str | Text]] = []
        for change in reversed(changes):
            stamp = time.strftime("%H:%M:%S", time.localtime(change.at))
            line = status_text(change.status, self._colours())
            extra = "  ".join(p for p in (change.address, _ms(change.rtt_ms)) if p)
            line.append(f"  {extra}" if extra else "")
            rows.append((f"{stamp} ({age_text(max(0.0, now - change.at))} ago)", line))
        return Group(title, label_grid(rows))

    def action_back(self) -> None:
        leave(self)


def _ms(rtt: float | None) -> str:
    return f"{rtt:g} ms" if rtt is not None else ""
