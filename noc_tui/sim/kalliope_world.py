"""The lab PBX's data: a few hundred extensions whose registrations flap over time.

Everything is a pure function of (seed, extension, time slot), so two lab runs with the same
seed and clock show the same phones in the same states.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

FIRST = (
    "Marco",
    "Giulia",
    "Nicolò",
    "Lucía",
    "José",
    "Chiara",
    "Andrea",
    "Zoë",
    "Ramón",
    "Francesca",
    "Luca",
    "Irène",
    "Matteo",
    "Sofía",
    "Pietro",
    "Élodie",
)
LAST = (
    "Rossi",
    "Bianchi",
    "Ferrè",
    "Gómez",
    "Martínez",
    "Colombo",
    "Müller",
    "Esposito",
    "Núñez",
    "Ricci",
    "D'Angelo",
    "Romano",
    "Peña",
    "Galli",
    "Bruno & Figli",
)
AGENTS = (
    "Yealink SIP-T46S 66.86.0.15",
    "Snom D735 10.1.127.10",
    "Grandstream GXP2170 1.0.11",
    "Zoiper rv2.10.19.6",
    "Linphone/5.2.5 (belle-sip/5.2.94)",
    "Cisco-CP8841/11.7.1",
    "Fanvil X6U 2.12.5",
    "MicroSIP/3.21.3",
)
STATUSES = ("OK", "UNREACHABLE", "UNKNOWN")
FLAP_SECONDS = 30.0  # one registration slot: a phone may change state each slot


@dataclass(frozen=True)
class LabExtension:
    exten: str
    first_name: str
    last_name: str
    enabled: bool
    agent: str
    ip: str
    port: int
    flappy: float  # chance per slot that this phone is not OK


DEFAULT_EXTENSIONS = 320


def make_extensions(seed: int, count: int = DEFAULT_EXTENSIONS) -> list[LabExtension]:
    rng = random.Random(f"kalliope-ext-{seed}")
    made = []
    for index in range(count):
        exten = str(200 + index)
        made.append(
            LabExtension(
                exten=exten,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                enabled=rng.random() > 0.04,
                agent=rng.choice(AGENTS),
                ip=f"10.{20 + index // 250}.{index % 250 // 50}.{10 + index % 50}",
                port=rng.choice((5060, 5060, 5062, 5070, 34812)),
                flappy=rng.choice((0.02, 0.05, 0.1, 0.4)),
            )
        )
    return made


@dataclass(frozen=True)
class LabRegistration:
    exten: str
    status: str
    rtt_ms: int | None
    ip: str
    port: int
    agent: str


def registration(seed: int, ext: LabExtension, now: float) -> LabRegistration:
    """The extension's state in the slot that holds `now`; RTT moves every slot."""
    slot = int(now // FLAP_SECONDS)
    rng = random.Random(f"{seed}-{ext.exten}-{slot}")
    roll = rng.random()
    flapping = "UNREACHABLE" if roll < ext.flappy * 0.6 else "UNKNOWN"
    status = "OK" if roll >= ext.flappy else flapping
    rtt = rng.randint(3, 180) if status == "OK" else None
    if status == "UNKNOWN":
        return LabRegistration(ext.exten, status, None, "", 0, "")
    return LabRegistration(ext.exten, status, rtt, ext.ip, ext.port, ext.agent)


# --- call records: each hour's calls are a pure function of (seed, hour) ---
GATEWAYS = (("1", "Telecom SIP trunk"), ("2", "Fastweb ISDN"), ("3", "Vodafone & Co. trunk"))
CALLGROUPS = ("Reception", "Assistenza tecnica", "Amministrazione", "Ventas España")
STATUS_WEIGHTS = ((8, 70), (4, 14), (2, 8), (1, 5), (3, 3))


def calls_in_hour(
    seed: int, hour: int, extensions: list[LabExtension], per_hour: int
) -> list[dict[str, Any]]:
    """`hour` is hours since the epoch (UTC); the calls start inside that hour, sorted."""
    rng = random.Random(f"kalliope-cdr-{seed}-{hour}")
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    starts = sorted(rng.randrange(3600) for _ in range(rng.randint(per_hour // 2, per_hour)))
    made: list[dict[str, Any]] = []  # start/answer/end are ints, the rest strings
    for index, offset in enumerate(starts):
        start = hour * 3600 + offset
        direction = rng.choice((1, 1, 2, 2, 4))
        ext = rng.choice(extensions)
        other = rng.choice(extensions)
        external = f"+39{rng.randint(200000000, 399999999)}"
        gateway = rng.choice(GATEWAYS) if direction != 4 else ("", "")
        status = rng.choice(statuses)
        billsec = rng.randint(5, 900) if status == 8 else 0
        ring = rng.randint(2, 30)
        caller, called = (
            (external, ext.exten)
            if direction == 1
            else (ext.exten, external)
            if direction == 2
            else (ext.exten, other.exten)
        )
        made.append(
            {
                "id": str(hour * 10_000 + index),
                "unique_id": f"{start}.{hour % 10_000 * 100 + index}",
                "direction": str(direction),
                "caller_num": caller,
                "caller_name": "" if direction == 1 else ext_name(ext),
                "called_num": called,
                "called_name": ext_name(ext if direction == 1 else other) if direction != 2 else "",
                "called_callgroup": rng.choice(CALLGROUPS) if direction == 1 else "",
                "gateway_id": gateway[0],
                "gateway_name": gateway[1],
                "status": str(status),
                "billsec": str(billsec),
                "start": start,
                "answer": start + ring if status == 8 else 0,
                "end": start + ring + billsec,
                "duration": str(ring + billsec),
            }
        )
    return made


def ext_name(ext: LabExtension) -> str:
    return f"{ext.first_name} {ext.last_name}"


def wildcard(pattern: str, value: str) -> bool:
    """The PBX's match: exact, or '%' at the start and/or end for 'anything here'."""
    lead, trail = pattern.startswith("%"), pattern.endswith("%") and len(pattern) > 1
    core = pattern.strip("%").lower()
    value = value.lower()
    if lead and trail:
        return core in value
    if lead:
        return value.endswith(core)
    if trail:
        return value.startswith(core)
    return value == core


# --- configuration, voicemail, callgroups, conferences --------------------------------------
# Each is drawn from its own seeded stream, so adding them leaves extensions and calls as they were.


@dataclass(frozen=True)
class LabConfig:
    """What /users/configs holds for one extension, secrets included: the PBX really sends them."""

    sip_secret: str
    gui_secret_md5: str
    vm_enabled: bool
    vm_secret: str
    vm_email: str
    vm_attach: bool
    vm_delete: bool
    phonebook_manager: bool
    failover: tuple[str, str, str]  # type, value, name


def ext_config(seed: int, ext: LabExtension, extensions: list[LabExtension]) -> LabConfig:
    rng = random.Random(f"kalliope-config-{seed}-{ext.exten}")
    vm = rng.random() > 0.25
    kind = rng.choice(("FORWARD_TO_VOICEMAIL", "FORWARD_TO_EXTEN", "HANGUP", "FORWARD_TO_EXTEN"))
    other = rng.choice(extensions)
    if kind == "FORWARD_TO_VOICEMAIL" and vm:
        target = (kind, ext.exten, "")
    elif kind == "FORWARD_TO_EXTEN":
        target = (kind, other.exten, ext_name(other))
    else:
        target = ("HANGUP", "", "")
    return LabConfig(
        sip_secret="".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(16)),
        gui_secret_md5=f"{rng.getrandbits(128):032x}",
        vm_enabled=vm,
        vm_secret=f"{rng.randint(0, 9999):04d}" if vm else "",
        vm_email=f"ext{ext.exten}@pbx.lab.example" if vm else "",
        vm_attach=vm and rng.random() > 0.3,
        vm_delete=vm and rng.random() > 0.7,
        phonebook_manager=rng.random() > 0.9,
        failover=target,
    )


def voicemail_counts(
    seed: int, ext: LabExtension, config: LabConfig, now: float
) -> tuple[int, int, int] | None:
    """(urgent, new, old) for the hour holding `now`; None when the extension has no mailbox."""
    if not config.vm_enabled:
        return None
    rng = random.Random(f"kalliope-vm-{seed}-{ext.exten}-{int(now // 3600)}")
    return rng.choice((0, 0, 0, 1)), rng.choice((0, 0, 1, 2, 3, 5)), rng.randint(0, 40)


@dataclass(frozen=True)
class LabCallgroup:
    id: str
    name: str
    selection: str
    enabled: bool
    timeout: int
    failover: tuple[str, str, str]  # type, value, name
    priorities: tuple[tuple[str, ...], ...]  # extension numbers, one tuple per priority


# The CDR's callgroup names are among these; `&`, `<` and accents must survive the XML.
CALLGROUP_NAMES = (
    "Incoming",
    "Reception",
    "Assistenza tecnica",
    "Amministrazione",
    "Ventas España",
    "R&D <lab>",
    "Notte & festivi",
    "Magazzino Città",
)


def make_callgroups(seed: int, extensions: list[LabExtension]) -> list[LabCallgroup]:
    rng = random.Random(f"kalliope-callgroups-{seed}")
    usable = [e.exten for e in extensions if e.enabled]
    made = []
    for index, name in enumerate(CALLGROUP_NAMES):
        steps = tuple(
            tuple(sorted(rng.sample(usable, rng.randint(2, 5)))) for _ in range(rng.randint(1, 3))
        )
        if index == 1 and usable[0] not in steps[0]:
            steps = ((usable[0], *steps[0]), *steps[1:])  # the first phone is in Reception
        made.append(
            LabCallgroup(
                id="incoming" if index == 0 else str(index),
                name=name,
                selection="" if index == 0 else str(600 + index),
                enabled=index != len(CALLGROUP_NAMES) - 1,
                timeout=rng.choice((15, 20, 25, 30)),
                failover=(("FORWARD_TO_CALLGROUP_WITH_CHECKTIME", "1", "Reception"))
                if index == 0
                else ("FORWARD_TO_VOICEMAIL", steps[0][0], "")
                if rng.random() > 0.5
                else ("HANGUP", "", ""),
                priorities=steps,
            )
        )
    return made


@dataclass(frozen=True)
class LabConference:
    name: str
    enabled: bool
    internal: str
    external: str
    admin_pin: str
    user_pin: str


CONFERENCES = (
    LabConference("Sala riunioni", True, "800", "", "4711", "1234"),
    LabConference("Direzione & soci", True, "801", "+390502201801", "9902", "5521"),
    LabConference("Weekly <ops>", True, "802", "", "", "7788"),
    LabConference("Reunión España", False, "803", "+34911234567", "3141", ""),
)
