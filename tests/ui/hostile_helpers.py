"""Looking at the console as an attacker's data paints it: what reaches the terminal.

`drawn(app)` renders the whole screen (a dialog with the screen under it) the way the driver
would, and returns its text with every character the terminal would be sent. `MarkupGuard`
records every time a markup parser is handed a string that holds hostile text from the lab:
data must never get there, however a widget is given it.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import rich.markup
import textual.content
import textual.markup
from rich.console import Console
from rich.text import Text
from textual.app import App

from noc_tui.sim.hostile import CATALOGUE, MARKERS

# Characters that must never reach the terminal from data: C0 (newlines are the screen's
# own line breaks here), ESC, DEL, C1, bidi overrides and isolates, lone surrogates.
FORBIDDEN = frozenset(
    [chr(c) for c in range(0x20) if c != 0x0A]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069)]
    + [chr(c) for c in range(0xD800, 0xE000)]
)

# Pieces of hostile text that only the lab writes: a markup parser that sees one was handed
# a backend's text.
SIGNATURES = tuple(
    piece
    for kind in CATALOGUE
    for piece in (kind.before.strip(), kind.after.strip())
    if len(piece) >= 4 and "[" in piece
)


def drawn(app: App[Any]) -> str:
    """The screen as the terminal would get it: every character, styles aside."""
    size = app.size
    console = Console(
        width=size.width,
        height=size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


def forbidden_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if c in FORBIDDEN})


# Markup that shows only if it was drawn as text: proof the screen did not read it as markup.
MARKUP_MARKERS = tuple(marker for marker in MARKERS if "[" in marker)


def markers_in(text: str) -> list[str]:
    return [marker for marker in MARKUP_MARKERS if marker in text]


PLACEHOLDERS = frozenset("␀␇␈␉␍␛␡␤\ufffd")


def placeholders_in(text: str) -> set[str]:
    """The visible stand-ins for control characters the screen shows."""
    return set(text) & PLACEHOLDERS


def assert_shown_plainly(app: App[Any], where: str, needs_marker: bool = True) -> str:
    """Nothing from data reached the terminal as a code, and the markup shows as typed."""
    text = drawn(app)
    bad = forbidden_in(text)
    assert not bad, f"{where}: control characters reached the terminal: {bad}"
    if needs_marker:
        assert markers_in(text), f"{where}: no hostile text shown literally:\n{text}"
    return text


class MarkupGuard:
    """Wraps the markup parsers of Rich and Textual; lists each call handed hostile text."""

    def __init__(self) -> None:
        self.offences: list[str] = []

    def check(self, markup: object) -> None:
        if isinstance(markup, str) and any(s in markup for s in SIGNATURES):
            stack = "".join(traceback.format_stack(limit=12)[:-2])
            self.offences.append(f"{markup[:80]!r}\n{stack}")

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            for arg in args[:2]:
                self.check(arg)
            self.check(kwargs.get("markup") or kwargs.get("text"))
            return original(*args, **kwargs)

        return guarded


@contextmanager
def markup_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[MarkupGuard]:
    guard = MarkupGuard()
    monkeypatch.setattr(rich.markup, "render", guard.wrap(rich.markup.render))
    monkeypatch.setattr(
        Text,
        "from_markup",
        classmethod(guard.wrap(Text.from_markup.__func__)),  # type: ignore[attr-defined]
    )
    monkeypatch.setattr(textual.markup, "to_content", guard.wrap(textual.markup.to_content))
    monkeypatch.setattr(
        textual.content.Content,
        "from_markup",
        classmethod(guard.wrap(textual.content.Content.from_markup.__func__)),  # type: ignore[attr-defined]
    )
    yield guard
    assert not guard.offences, "backend text reached a markup parser:\n" + "\n".join(
        guard.offences[:3]
    )
