"""Backend text to screen text: what strangers wrote, shown as the plain text it is.

Host names, SNMP fields, notes, CPE names, server error messages and above all the caller
names of outside calls are written by people outside the NOC. On screen they are never
markup (a `[/]` would crash a widget, a `[@click=app.quit]` would run an action) and never
terminal codes (an `ESC ] 52` would write the operator's clipboard). Every value that came
from a backend goes through this module on its way to a widget, a notification, `noc-tui
check` or the log:

    clean(value)            str, every control character shown as a visible placeholder
    cut(text, width)        at most `width` terminal cells, with an ellipsis when cut
    line(value, style)      one line of plain Rich Text (labels, badges, grids)
    block(value, style)     plain Rich Text kept whole, newlines kept, for detail views
    safe_text(text)         a Rich Text we built around backend words, cleaned in place
    TableCell(value, width) a table cell: plain text however the table treats strings

Each unsafe character becomes exactly one visible character, so the spans of a styled Text
stay where they were. Our own strings may use markup; data never does.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text

ELLIPSIS = "…"
# A cell is cut to its column's width; a column without one still never draws a novel.
CELL_CHARS = 200
# Detail views show a value whole, but a 10 MB "name" is not a name.
BLOCK_CHARS = 20_000
# Combining marks stacked on one letter ("zalgo") draw over the lines around them.
MAX_COMBINING = 4

SUBSTITUTE = "\ufffd"  # �: C1 controls, bidi controls, lone surrogates

_PICTURES: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟
_PICTURES[0x7F] = "\u2421"  # ␡
_PICTURES[0x0A] = "\u2424"  # ␤: a newline in a one-line place
_FORMAT_CONTROLS = (
    [0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
    + list(range(0x202A, 0x202F))  # LRE RLE PDF LRO RLO
    + list(range(0x2066, 0x206A))  # LRI RLI FSI PDI
)
_ONE_LINE: dict[int, str] = {
    **_PICTURES,
    **{code: SUBSTITUTE for code in range(0x80, 0xA0)},
    **{code: SUBSTITUTE for code in _FORMAT_CONTROLS},
}
_MULTI_LINE: dict[int, str] = {**_ONE_LINE, 0x0A: "\n", 0x09: "\t"}

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
    f"|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{{{MAX_COMBINING + 1},}}"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_COMBINING_RUN = re.compile(
    f"([\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{{{MAX_COMBINING}}})"
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


def is_safe(text: str) -> bool:
    """True when `text` can reach a terminal as it is (the common case, checked fast)."""
    return _UNSAFE.search(text) is None


def clean(value: object, *, lines: bool = False) -> str:
    """`value` as text with no control character, bidi override or lone surrogate left:
    each becomes one visible placeholder (`␛`, `␤`, `�`). With `lines`, newlines and tabs
    stay, for views that wrap. None is the empty string."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(text) is None:
        return text
    text = _COMBINING_RUN.sub(r"\1", text)
    text = _SURROGATE.sub(SUBSTITUTE, text)
    return text.translate(_MULTI_LINE if lines else _ONE_LINE)


def cut(text: str, width: int) -> str:
    """At most `width` terminal cells (wide characters count two), ending in `…` if cut."""
    if width <= 0:
        return ""
    if text.isascii():  # one cell a character (controls are pictures by now): no measuring
        return text if len(text) <= width else text[: width - 1].rstrip(" ") + ELLIPSIS
    if len(text) <= width and cell_len(text) <= width:
        return text
    if len(text) > 4 * width:
        text = text[: 4 * width]  # no need to measure all of a 10,000-character value
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip(" ") + ELLIPSIS


def one_line(value: object, width: int = CELL_CHARS) -> str:
    """Clean, on one line, cut to `width` cells: a value in a row, a tile or a title."""
    return cut(clean(value), width)


def line(value: object, style: str = "", width: int = CELL_CHARS) -> Text:
    """One line of plain Rich Text: never parsed as markup."""
    return Text(one_line(value, width), style=style, end="", no_wrap=True, overflow="ellipsis")


def block(value: object, style: str = "") -> Text:
    """Plain Rich Text kept whole (up to BLOCK_CHARS), newlines kept, wrapping under itself."""
    text = clean(value, lines=True)
    if len(text) > BLOCK_CHARS:
        text = text[:BLOCK_CHARS] + f"{ELLIPSIS} ({len(text) - BLOCK_CHARS:,} more characters)"
    return Text(text, style=style, overflow="fold")


def safe_text(text: Text, width: int | None = None, *, lines: bool = False) -> Text:
    """A Text we built around backend words (`✗ down (<reason>)`), cleaned: the same Text
    when it was safe, else a copy whose spans still fit (each placeholder is one char).
    With `lines` its newlines and tabs stay (a detail view)."""
    plain = text.plain
    if not is_safe(plain):
        if _COMBINING_RUN.search(plain):
            # lengths change: styles go whole
            text = Text(clean(plain, lines=lines), style=text.style)
        else:
            text = Text(
                clean(plain, lines=lines),
                style=text.style,
                spans=list(text.spans),
                justify=text.justify,
                overflow=text.overflow,
                no_wrap=text.no_wrap,
                end=text.end,
            )
    if width is not None and cell_len(text.plain) > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    return text


class TableCell:
    """One table cell of backend text. DataTable reads a `str` cell as markup, so strings
    travel in this instead: it draws as plain text, cut with `…` to its column."""

    __slots__ = ("text",)

    def __init__(self, value: object, width: int | None = None) -> None:
        self.text = one_line(value, width or CELL_CHARS)

    def __rich__(self) -> Text:
        return Text(self.text, end="", no_wrap=True, overflow="ellipsis")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"TableCell({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TableCell) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def table_cell(value: Any, width: int | None = None) -> Any:
    """What a table is given for `value`: strings become a TableCell, Texts are cleaned."""
    if isinstance(value, str):
        return TableCell(value, width)
    if isinstance(value, Text):
        return safe_text(value, width)
    return value
