"""KalliopePBX models in the operator's words, parsed tolerantly from lxml elements."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree


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
        return float(number)
    except ValueError:
        return None


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
