"""Backend text on its way to the screen: every control code visible, never sent; cut to fit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

import noc_tui
from noc_tui.untrusted import (
    TableCell,
    block,
    clean,
    cut,
    is_safe,
    line,
    one_line,
    safe_text,
    table_cell,
)

HOSTILE = [
    "\x1b]52;c;SGVsbG8=\x07",  # a clipboard write
    "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",  # a hyperlink
    "\x1b]0;owned\x07",  # the window title
    "\x1b[2J\x1b[31m",
    "\x9b2J\x9d0;t\x9c",  # C1 controls
    "a\u202eevil\u202cb\u2066x\u2069",  # bidi overrides and isolates
    "\x00\x08\r\x7f",
    "\ud800lone",
]
FORBIDDEN = {chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))} | {
    chr(c) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069)
}


def drawn(renderable: object, width: int = 200) -> str:
    """What a terminal would be sent for `renderable`, as text."""
    console = Console(width=width, record=True, force_terminal=True, color_system="truecolor")
    console.print(renderable)
    return console.export_text(styles=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_no_control_code_survives_and_each_is_shown(value: str) -> None:
    shown = clean(value)
    assert not FORBIDDEN & set(shown)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in shown)
    assert len(shown) == len(value)  # one visible placeholder each: nothing silently dropped
    assert shown.encode("utf-8")  # a lone surrogate would fail here, in the terminal's write


def test_placeholders_say_what_was_there() -> None:
    assert clean("a\x1bb") == "a␛b"
    assert clean("a\nb\tc") == "a␤b␉c"  # one line: a newline is shown, not obeyed
    assert clean("a\nb\tc", lines=True) == "a\nb\tc"  # a detail view wraps at them
    assert clean("x\u202ey") == "x\ufffdy"
    assert clean(None) == "" and clean(42) == "42"
    assert clean("core-sw-01 [MGMT] uplink") == "core-sw-01 [MGMT] uplink"


def test_stacked_combining_marks_are_thinned() -> None:
    zalgo = "e" + "\u0301" * 500 + "x"
    assert clean(zalgo) == "e" + "\u0301" * 4 + "x"


def test_cut_counts_cells_and_says_it_cut() -> None:
    assert cut("core-router-01", 8) == "core-ro…"
    assert cut("short", 8) == "short"
    wide = "機器名機器名"
    assert cell_len(cut(wide, 7)) <= 7 and cut(wide, 7).endswith("…")
    assert cut("x" * 10_000, 20) == "x" * 19 + "…"
    assert cut("🔥📞🔥📞", 5).endswith("…")


def test_rich_markup_in_data_stays_literal() -> None:
    for value in ("x[/]y", "[bold red]RED[/bold red]", "[@click=app.quit]x[/]", "[link=x]y"):
        assert drawn(line(value)).strip() == value
        assert drawn(block(value)).strip() == value
        assert str(TableCell(value)) == value
        assert drawn(TableCell(value)).strip() == value


def test_safe_text_keeps_our_styles_on_the_same_words() -> None:
    text = Text("✗ down (")
    text.append("\x1b[2Jreason", style="bold")
    text.append(")")
    shown = safe_text(text)
    assert shown.plain == "✗ down (␛[2Jreason)"
    assert [(s.start, s.end, str(s.style)) for s in shown.spans] == [(8, 18, "bold")]
    assert safe_text(Text("fine")).plain == "fine"


def test_a_table_cell_is_cut_to_its_column() -> None:
    assert str(table_cell("a" * 50, 10)) == "a" * 9 + "…"
    assert str(table_cell("host", None)) == "host"
    assert isinstance(table_cell(Text("x"), 5), Text)
    assert table_cell(3, 5) == 3


def test_a_detail_view_shows_a_huge_value_but_not_forever() -> None:
    assert len(block("y" * 5_000).plain) == 5_000
    assert "more characters" in block("y" * 50_000).plain


def test_safe_strings_pass_untouched() -> None:
    assert is_safe("Lucía García López · 機器名 🔥")
    assert one_line("Lucía") == "Lucía"


# -- every widget gets backend text one way -------------------------------------------------

UI = Path(noc_tui.__file__).parent / "ui"
# Textual widgets that parse a string as markup when given one.
MARKUP_WIDGETS = {"Static", "Label", "Markdown", "RichLog", "Log", "Pretty"}


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            found.append((name, node))
    return found


def test_screens_and_widgets_draw_text_only_through_plain() -> None:
    """`Plain` (widgets/plain.py) is the only Static: a new screen cannot hand a host name to
    a widget that reads it as markup, and cannot turn markup back on."""
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "plain.py":
            continue
        tree = ast.parse(path.read_text())
        for name, call in _calls(tree):
            if name in MARKUP_WIDGETS:
                offenders.append(f"{path.relative_to(UI)}:{call.lineno} {name}(...)")
            for keyword in call.keywords:
                if keyword.arg == "markup" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    offenders.append(f"{path.relative_to(UI)}:{call.lineno} markup=...")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & MARKUP_WIDGETS:
                    offenders.append(f"{path.relative_to(UI)}:{node.lineno} class {node.name}")
    assert offenders == [], "backend text must reach the screen through Plain or a table"


def test_no_screen_parses_markup_itself() -> None:
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        source = path.read_text()
        for needle in ("from_markup", "render_markup", "rich.markup", "Text.from_ansi"):
            if needle in source:
                offenders.append(f"{path.relative_to(UI)}: {needle}")
    assert offenders == []
