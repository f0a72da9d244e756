"""The hostile strings the lab writes into a backend's free text (the `hostile` fault).

Each kind wraps the original text, which stays whole inside, so rows remain distinguishable
and a console can still tell one device from another. The kind for a text is picked by a
stable hash of the text itself (`kind_for`), so the same hostname is the same hostile string
in every answer of the lab, with any seed, in any process: a UI test can compute what a row
must show with `hostile_text(original)`.

The kinds (`CATALOGUE`):

- Rich/Textual markup: unbalanced `x[/]y`, `[/]` alone, `[bold red]RED[/bold red]`,
  `A[link=http://evil.example/]B[/link]`, `[@click=app.quit]…[/]`,
  `[@click=app.screenshot('x.svg','/tmp')]…[/]`, and `[MGMT] uplink` (brackets an operator
  really types);
- terminal escapes: OSC 52 clipboard write, OSC 8 hyperlink, OSC 0 window title, `ESC[2J`,
  `ESC[31m` (never reset), the 8-bit C1 forms CSI `\\x9b2J` and OSC `\\x9d0;t\\x9c`;
- control characters: BEL, backspaces, a carriage return, a newline, tabs, NUL, DEL;
- bidi overrides and isolates (U+202E, U+202D, U+2066-U+2069), a lone surrogate `\\ud800`;
- a value over 10,000 characters, wide CJK and emoji, a pile of combining marks.

JSON can carry all of them (a lone surrogate as the escape `"\\ud800"`). XML 1.0 cannot carry
ESC, NUL, BEL, backspace or a lone surrogate, not even as character references, so
`xml_text` gives each kind its XML-legal form: escape sequences become their C1 equivalents
(ESC [ -> CSI U+009B, ESC ] -> OSC U+009D, BEL or ESC \\ ending an OSC -> ST U+009C), another
C0 control x becomes the C1 control x + 0x80 (what a Latin-1 muddle makes of it), and the
lone surrogate becomes the noncharacter U+FDD0. The raw C0 forms still reach a console
through `hostile=raw` (see `noc_tui.sim.faults`): a PBX whose CDR encoder writes caller names
byte for byte.

For tests: `MARKERS` are printable pieces a screen must show literally when the text was not
taken for markup; `ESCAPES` are sequences that must never reach the terminal as they are;
`kind_of(value)` names the kind of a hostile value; `restore(value)` gives back the original
(the lab uses it to answer lookups by hostile keys).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

LONG_FILLER = "long-" * 2000  # 10,000 characters


@dataclass(frozen=True)
class Kind:
    """One hostile wrapping: `before + original + after` (in JSON and in XML)."""

    name: str
    before: str = ""
    after: str = ""
    xml_before: str | None = None  # None: the same as in JSON
    xml_after: str | None = None

    def text(self, original: str) -> str:
        return f"{self.before}{original}{self.after}"

    def xml(self, original: str) -> str:
        before = self.before if self.xml_before is None else self.xml_before
        after = self.after if self.xml_after is None else self.xml_after
        return f"{before}{original}{after}"


CATALOGUE: tuple[Kind, ...] = (
    Kind("markup-unbalanced", after=" x[/]y"),
    Kind("markup-close", before="[/]"),
    Kind("markup-style", before="[bold red]RED[/bold red] "),
    Kind("markup-link", before="A[link=http://evil.example/]B[/link] "),
    Kind("markup-click-quit", before="[@click=app.quit]", after="[/]"),
    Kind("markup-click-screenshot", before="[@click=app.screenshot('x.svg','/tmp')]", after="[/]"),
    Kind("markup-brackets", before="[MGMT] uplink "),
    Kind("osc52-clipboard", after="\x1b]52;c;SGVsbG8=\x07", xml_after="\x9d52;c;SGVsbG8=\x9c"),
    Kind(
        "osc8-hyperlink",
        before="\x1b]8;;http://evil.example/\x1b\\",
        after="\x1b]8;;\x1b\\",
        xml_before="\x9d8;;http://evil.example/\x9c",
        xml_after="\x9d8;;\x9c",
    ),
    Kind("osc0-title", before="\x1b]0;owned\x07", xml_before="\x9d0;owned\x9c"),
    Kind("csi-clear", before="\x1b[2J", xml_before="\x9b2J"),
    Kind("sgr-red", before="\x1b[31m", xml_before="\x9b31m"),
    Kind("c1-csi", before="\x9b2J"),
    Kind("c1-osc", before="\x9d0;t\x9c"),
    Kind("bell", after="\x07\x07", xml_after="\x87\x87"),
    Kind("backspace", after="\x08\x08\x08\x08OK", xml_after="\x88\x88\x88\x88OK"),
    Kind("carriage-return", after="\rFAKE OK"),
    Kind("newline", after="\nsecond line"),
    Kind("tab", before="\t", after="\tend"),
    Kind("nul", after="\x00after-nul", xml_after="\x80after-nul"),
    Kind("del", after="\x7f\x7f"),
    Kind("bidi-rlo", before="\u202eevil\u202c \u202e", after="\u202c"),
    Kind("bidi-lro", before="\u202d", after="\u202c"),
    Kind("bidi-isolates", before="\u2067", after="\u2069\u2066\u2068"),  # LRI, FSI left open
    Kind("lone-surrogate", after="\ud800", xml_after="\ufdd0"),
    Kind("long", after=" " + LONG_FILLER),
    Kind("wide", before="機器名 ", after=" 🔥📞"),
    Kind(
        "combining",
        after="\u0336\u0301 Z\u0334\u0321\u031ba\u0337\u0322l\u0338\u0327g\u0336o\u0335",
    ),
)
BY_NAME = {kind.name: kind for kind in CATALOGUE}

# Printable pieces that a screen shows as they are only if the text was not taken for markup.
MARKERS: tuple[str, ...] = (
    "x[/]y",
    "[/]",
    "[bold red]RED[/bold red]",
    "A[link=http://evil.example/]B[/link]",
    "[@click=app.quit]",
    "[@click=app.screenshot('x.svg','/tmp')]",
    "[MGMT] uplink",
    "機器名",
    "🔥📞",
)
# What must never be written to a terminal as is (from the JSON forms and the C1 forms).
ESCAPES: tuple[str, ...] = (
    "\x1b]52;",
    "\x1b]8;",
    "\x1b]0;owned",
    "\x1b[2J",
    "\x1b[31m",
    "\x9b",
    "\x9d",
    "\x07",
    "\x08",
    "\x00",
)


def _digest(text: str) -> int:
    raw = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


def kind_for(original: str) -> Kind:
    """The kind a text always gets: a stable hash, the same in every run and process."""
    return CATALOGUE[_digest(original) % len(CATALOGUE)]


def kind_for_empty(field: str, row: str) -> Kind:
    """The kind an empty field of one row gets (rows differ, so their kinds differ)."""
    return CATALOGUE[_digest(f"\x00{field}\x00{row}") % len(CATALOGUE)]


def hostile_text(original: str) -> str:
    """What the lab shows instead of `original` in JSON answers."""
    return kind_for(original).text(original)


def hostile_xml(original: str) -> str:
    """What the lab shows instead of `original` in XML answers (XML 1.0-legal)."""
    return kind_for(original).xml(original)


# -- reading hostile values back --------------------------------------------------------------

_SURROGATE_STAND_INS = "(?:\ud800|\ufffd{1,3}|\\?)"  # how a client may have had to send it


def _pattern(before: str, after: str) -> re.Pattern[str]:
    def part(text: str) -> str:
        return re.escape(text).replace("\ud800", _SURROGATE_STAND_INS)

    # A client may have stripped the value before sending it: leading and trailing blanks go.
    return re.compile(rf"\s*{part(before.lstrip())}(.*?){part(after.rstrip())}\s*", re.DOTALL)


@cache
def _patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    found: list[tuple[int, re.Pattern[str]]] = []
    for index, kind in enumerate(CATALOGUE):
        forms = {(kind.before, kind.after)}
        forms.add(
            (
                kind.before if kind.xml_before is None else kind.xml_before,
                kind.after if kind.xml_after is None else kind.xml_after,
            )
        )
        found += [(index, _pattern(before, after)) for before, after in sorted(forms)]
    return tuple(found)


def _match(value: str) -> tuple[Kind, str] | None:
    if not value:
        return None
    for index, pattern in _patterns():
        match = pattern.fullmatch(value)
        if match is None:
            continue
        original = match[1]
        # An empty original came from an empty field (any kind); otherwise the hash decides.
        if not original or _digest(original) % len(CATALOGUE) == index:
            return CATALOGUE[index], original
    return None


def kind_of(value: str) -> Kind | None:
    """The kind of a hostile value the lab wrote, or None for any other text."""
    found = _match(value)
    return found[0] if found else None


def restore(value: str) -> str:
    """The original behind a hostile value (also inside `%` wildcards); other text as is."""
    core = value.strip("%")
    if not core:
        return value
    found = _match(core)
    if found is None:
        return value
    lead = len(value) - len(value.lstrip("%"))
    return value[:lead] + found[1] + value[lead + len(core) :]
