"""What a screen says about a list that is not the whole truth (see `noc_tui.api.listing`)."""

from __future__ import annotations

from collections.abc import Iterable

from noc_tui.api.listing import Listing


def _read(items: Listing[object]) -> str:
    of = f" of {items.total:,}" if items.total is not None else ""
    return f"⚠ incomplete: {len(items):,}{of}"


def reading_note(items: Iterable[object], what: str = "rows") -> str:
    """One line for the screen on a list that is not the whole truth; "" when it is."""
    if not isinstance(items, Listing):
        return ""
    parts = []
    if items.stopped:
        parts.append(f"{_read(items)} {what} read, {items.stopped}")
    if items.repeated:
        ids = "id" if items.repeated == 1 else "ids"
        parts.append(f"⚠ {items.repeated:,} repeated {ids} in the answer, each shown once")
    return " · ".join(parts)


def reading_flag(items: Iterable[object]) -> tuple[str, ...]:
    """The same, short enough for a tile's line: () when the list is whole."""
    if not isinstance(items, Listing) or items.whole:
        return ()
    if items.stopped:
        return (_read(items),)
    return (f"⚠ {items.repeated:,} ids repeated",)
