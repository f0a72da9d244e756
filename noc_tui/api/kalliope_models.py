"""KalliopePBX models in the operator's words, parsed tolerantly from lxml elements."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from noc_tui.lazy import LazyModule

if TYPE_CHECKING:
    from lxml import etree
else:
    etree = LazyModule("lxml.etree")


@dataclass(frozen=True)
class Registration:
    """Where one extension's phone registered from and how fast it answers qualify pings."""

    extension: str
    status: str  # OK / UNREACHABLE / UNKNOWN, as the PBX says it
    rtt_ms: float | None
    ip: str
    port: str
    user_agent: str

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}" if self.ip else ""


@dataclass(frozen=True)
class Extension:
    extension: str
    enabled: bool
    first_name: str
    last_name: str

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def _text(node: etree._Element, tag: str) -> str:
    return (node.findtext(tag) or "").strip()


def parse_rtt(text: str) -> float | None:
    """'12 ms', '12.5', '' or missing: the PBX leaves <rtt /> empty when it has no answer."""
    number = text.strip().lower().removesuffix("ms").strip()
    try:
        value = float(number)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # "nan", "inf", "1e400": no answer time


def registration(node: etree._Element) -> Registration:
    return Registration(
        extension=_text(node, "exten"),
        status=_text(node, "status").upper() or "UNKNOWN",
        rtt_ms=parse_rtt(node.findtext("rtt") or ""),
        ip=_text(node, "ip"),
        port=_text(node, "port"),
        user_agent=_text(node, "useragent"),
    )


def extension(node: etree._Element) -> Extension:
    return Extension(
        extension=_text(node, "exten"),
        enabled=_text(node, "enabled").lower() in ("true", "1", "yes"),
        first_name=_text(node, "first_name"),
        last_name=_text(node, "last_name"),
    )


def flag(root: etree._Element, tag: str) -> bool:
    return (root.findtext(tag) or "").strip().lower() == "true"


# --- configuration, voicemail, callgroups, conferences (API 1.1, PDF typos fixed) ----------

# Secrets in /users/configs and /pbx/conferences: parsed into "set or not", never kept.
SECRET_TAGS = frozenset({"sip_secret", "gui_secret_md5", "vm_secret", "admin_pin", "user_pin"})

FAILOVER_WORDS = {
    "FORWARD_TO_EXTEN": "forward to extension",
    "FORWARD_TO_CALLGROUP_WITHOUT_CHECKTIME": "forward to callgroup (no checktime)",
    "FORWARD_TO_CALLGROUP_WITH_CHECKTIME": "forward to callgroup (with checktime)",
    "FORWARD_TO_QUEUE_WITHOUT_CHECKTIME": "forward to queue (no checktime)",
    "FORWARD_TO_QUEUE_WITH_CHECKTIME": "forward to queue (with checktime)",
    "FORWARD_TO_VOICEMAIL": "forward to voicemail",
    "FORWARD_TO_IVR": "forward to IVR",
    "FORWARD_TO_EXTERNAL_NUMBER": "forward to external number",
    "FORWARD_TO_CHECKTIME": "forward to checktime",
    "HANGUP": "hang up",
}


@dataclass(frozen=True)
class Failover:
    """Where an unanswered call goes: the PBX's type code, and its destination."""

    type: str
    intro: str = ""
    name: str = ""
    value: str = ""
    gateway_type: str = ""
    gateway_id: str = ""
    gateway_name: str = ""

    @property
    def words(self) -> str:
        """'forward to extension 201 (Marco Rossi)', 'hang up', or 'none'."""
        if not self.type:
            return "none"
        text = FAILOVER_WORDS.get(self.type, self.type.lower().replace("_", " "))
        target = " ".join(
            part for part in (self.value, f"({self.name})" if self.name else "") if part
        )
        via = f" via {self.gateway_name or self.gateway_type + ' ' + self.gateway_id}".rstrip()
        return f"{text} {target}".strip() + (via if self.gateway_type or self.gateway_name else "")


@dataclass(frozen=True)
class ExtensionConfig:
    """`/users/configs/<exten>` with every secret reduced to whether it is set."""

    extension: str
    enabled: bool
    first_name: str
    last_name: str
    phonebook_manager: bool
    vm_enabled: bool
    vm_email: str
    vm_attach: bool
    vm_delete: bool
    failover: Failover
    sip_secret_set: bool
    vm_secret_set: bool
    gui_password_set: bool

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class VoicemailCount:
    urgent: int
    new: int
    old: int

    @property
    def words(self) -> str:
        return f"{self.new} new, {self.urgent} urgent, {self.old} old"


@dataclass(frozen=True)
class CallgroupMember:
    extension: str
    display_name: str


@dataclass(frozen=True)
class Priority:
    """One ring step: its members ring together, then the next priority after the timeout."""

    id: str
    members: tuple[CallgroupMember, ...]


@dataclass(frozen=True)
class Callgroup:
    id: str
    name: str
    selection: str  # the number dialled to reach it, may be empty
    enabled: bool
    timeout: int | None  # seconds each priority rings
    failover: Failover
    priorities: tuple[Priority, ...]

    def priority_of(self, exten: str) -> str | None:
        """The priority id this extension rings at, or None when it is not a member."""
        for step in self.priorities:
            if any(m.extension == exten for m in step.members):
                return step.id
        return None

    @property
    def member_count(self) -> int:
        return sum(len(step.members) for step in self.priorities)


@dataclass(frozen=True)
class Conference:
    name: str
    enabled: bool
    internal: str  # the internal selection (number dialled from an extension)
    external: str  # the external selection (DID), may be empty
    admin_pin_set: bool
    user_pin_set: bool


def _bool(node: etree._Element, tag: str) -> bool:
    return _text(node, tag).lower() in ("true", "1", "yes")


def _is_set(node: etree._Element, tag: str) -> bool:
    return bool((node.findtext(tag) or "").strip())


def _number(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def failover(node: etree._Element | None) -> Failover:
    if node is None:
        return Failover("")
    dest = node.find("destination")
    dest = dest if dest is not None else etree.Element("destination")
    return Failover(
        type=_text(node, "type").upper(),
        intro=_text(node, "intro"),
        name=_text(dest, "name"),
        value=_text(dest, "value"),
        gateway_type=_text(dest, "gateway_type"),
        gateway_id=_text(dest, "gateway_id"),
        gateway_name=_text(dest, "gateway_name"),
    )


def extension_config(node: etree._Element) -> ExtensionConfig:
    return ExtensionConfig(
        extension=_text(node, "exten"),
        enabled=_bool(node, "enabled"),
        first_name=_text(node, "first_name"),
        last_name=_text(node, "last_name"),
        phonebook_manager=_bool(node, "phonebook_manager"),
        vm_enabled=_bool(node, "vm_enabled"),
        vm_email=_text(node, "vm_email"),
        vm_attach=_bool(node, "vm_attach_enabled"),
        vm_delete=_bool(node, "vm_message_delete"),
        failover=failover(node.find("failover")),
        sip_secret_set=_is_set(node, "sip_secret"),
        vm_secret_set=_is_set(node, "vm_secret"),
        gui_password_set=_is_set(node, "gui_secret_md5"),
    )


def voicemail_count(node: etree._Element) -> VoicemailCount:
    return VoicemailCount(
        urgent=_number(_text(node, "urg_messages")) or 0,
        new=_number(_text(node, "new_messages")) or 0,
        old=_number(_text(node, "old_messages")) or 0,
    )


def callgroup(node: etree._Element) -> Callgroup:
    priorities = tuple(
        Priority(
            id=_text(step, "id"),
            members=tuple(
                CallgroupMember(_text(m, "exten"), _text(m, "display_name"))
                for m in step.iterfind("members/member")
            ),
        )
        for step in node.iterfind("priorities/priority")
    )
    return Callgroup(
        id=_text(node, "id"),
        name=_text(node, "name"),
        selection=_text(node, "selection"),
        enabled=_bool(node, "enabled"),
        timeout=_number(_text(node, "timeout")),
        failover=failover(node.find("failover")),
        priorities=priorities,
    )


def conference(node: etree._Element) -> Conference:
    return Conference(
        name=_text(node, "name"),
        enabled=_bool(node, "enabled"),
        internal=_text(node, "selection/internal"),
        external=_text(node, "selection/external"),
        admin_pin_set=_is_set(node, "admin_pin"),
        user_pin_set=_is_set(node, "user_pin"),
    )


@dataclass(frozen=True)
class RegistrationChange:
    at: float  # epoch seconds, from the console's clock
    status: str  # OK / UNREACHABLE / UNKNOWN, or "" when the PBX listed no registration
    rtt_ms: float | None
    address: str


class RegistrationHistory:
    """Each extension's registration changes seen during this session, newest last, bounded.

    Only changes of status or address are kept (an RTT that moves each poll is not news), so
    a flapping phone shows as a run of entries and a steady one as a single line.
    """

    def __init__(self, per_extension: int = 20) -> None:
        self._limit = per_extension
        self._seen: dict[str, deque[RegistrationChange]] = {}

    def record(self, exten: str, reg: Registration | None, at: float) -> None:
        status = reg.status if reg else ""
        address = reg.address if reg else ""
        changes = self._seen.setdefault(exten, deque(maxlen=self._limit))
        last = changes[-1] if changes else None
        if last is None or (last.status, last.address) != (status, address):
            changes.append(RegistrationChange(at, status, reg.rtt_ms if reg else None, address))

    def of(self, exten: str) -> list[RegistrationChange]:
        return list(self._seen.get(exten, ()))
