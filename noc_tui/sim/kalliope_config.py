"""The lab PBX's configuration answers: /users/configs, /voicemails/count, /pbx/callgroups,
/pbx/conferences, as the API 1.1 document shapes them (its PDF typos fixed: `sip_secret`,
`display_name`, `user_pin`). Built with lxml, so `&`, `<` and accents are escaped, never pasted.
"""

from __future__ import annotations

from lxml import etree

from noc_tui.sim.kalliope_world import (
    CONFERENCES,
    LabCallgroup,
    LabExtension,
    ext_config,
    ext_name,
    voicemail_counts,
)


def _el(tag: str, text: str | None = None, *children: etree._Element) -> etree._Element:
    node = etree.Element(tag)
    node.text = text
    node.extend(children)
    return node


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _failover(kind: str, value: str, name: str, intro: str = "") -> etree._Element:
    destination = _el(
        "destination",
        None,
        _el("name", name or None),
        _el("value", value or None),
        _el("gateway_type"),
        _el("gateway_id"),
        _el("gateway_name"),
    )
    return _el("failover", None, _el("intro", intro or None), _el("type", kind), destination)


def configs(seed: int, chosen: list[LabExtension], everyone: list[LabExtension]) -> etree._Element:
    """`<configs>`: the real PBX sends the SIP and voicemail secrets too; the client drops them."""
    found = _el("configs")
    for ext in chosen:
        cfg = ext_config(seed, ext, everyone)
        found.append(
            _el(
                "config",
                None,
                _el("exten", ext.exten),
                _el("sip_secret", cfg.sip_secret),
                _el("enabled", _flag(ext.enabled)),
                _el("first_name", ext.first_name),
                _el("last_name", ext.last_name),
                _el("gui_secret_md5", cfg.gui_secret_md5),
                _el("phonebook_manager", _flag(cfg.phonebook_manager)),
                _el("vm_enabled", _flag(cfg.vm_enabled)),
                _el("vm_secret", cfg.vm_secret or None),
                _el("vm_email", cfg.vm_email or None),
                _el("vm_attach_enabled", _flag(cfg.vm_attach)),
                _el("vm_message_delete", _flag(cfg.vm_delete)),
                _failover(*cfg.failover),
            )
        )
    return found


def voicemails(
    seed: int, ext: LabExtension | None, everyone: list[LabExtension], now: float
) -> etree._Element:
    """`<voicemails>` with one `<voicemail>`, or empty for an unknown or disabled mailbox."""
    found = _el("voicemails")
    counts = voicemail_counts(seed, ext, ext_config(seed, ext, everyone), now) if ext else None
    if counts is not None:
        urgent, new, old = counts
        found.append(
            _el(
                "voicemail",
                None,
                _el("urg_messages", str(urgent)),
                _el("new_messages", str(new)),
                _el("old_messages", str(old)),
            )
        )
    return found


def callgroups(groups: list[LabCallgroup], names: dict[str, str]) -> etree._Element:
    found = _el("callgroups")
    for group in groups:
        priorities = _el("priorities")
        for index, members in enumerate(group.priorities, start=1):
            listed = _el("members")
            for exten in members:
                listed.append(
                    _el("member", None, _el("exten", exten), _el("display_name", names.get(exten)))
                )
            priorities.append(_el("priority", None, _el("id", str(index)), listed))
        found.append(
            _el(
                "callgroup",
                None,
                _el("id", group.id),
                _el("name", group.name),
                _el("selection", group.selection or None),
                _el("enabled", _flag(group.enabled)),
                _el("timeout", str(group.timeout)),
                _failover(*group.failover),
                priorities,
            )
        )
    return found


def conferences() -> etree._Element:
    found = _el("conferences")
    for room in CONFERENCES:
        selection = _el(
            "selection",
            None,
            _el("internal", room.internal),
            _el("external", room.external or None),
        )
        found.append(
            _el(
                "conference",
                None,
                _el("name", room.name),
                _el("enabled", _flag(room.enabled)),
                selection,
                _el("admin_pin", room.admin_pin or None),
                _el("user_pin", room.user_pin or None),
            )
        )
    return found


def display_names(everyone: list[LabExtension]) -> dict[str, str]:
    return {ext.exten: ext_name(ext) for ext in everyone}
