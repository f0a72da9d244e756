"""`Plain`: the Static of this console. What it is given is drawn as text, never as markup,
and never with a control code: backend words reach the screen through it (or a table).

Strings and Rich Texts are cleaned by `noc_tui.untrusted`; a Content (already parsed, so no
markup) is cleaned the same way. Renderables we compose ourselves (a Rich Group of grids)
must be built from `untrusted.line`/`block` Texts: `format.label_grid` does that.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static

from noc_tui.untrusted import block, clean, is_safe, safe_text


def shown(content: VisualType) -> VisualType:
    """`content` made safe to draw: strings whole and wrapped, Texts and Contents cleaned."""
    if isinstance(content, str):
        return block(content)
    if isinstance(content, Text):
        return safe_text(content, lines=True)
    if isinstance(content, Content) and not is_safe(content.plain):
        return Content(clean(content.plain, lines=True), spans=list(content.spans))
    return content


class Plain(Static):
    def __init__(
        self,
        content: VisualType = "",
        *,
        expand: bool = False,
        shrink: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            shown(content),
            expand=expand,
            shrink=shrink,
            markup=False,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(shown(content), layout=layout)
