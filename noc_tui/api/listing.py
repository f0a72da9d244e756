"""A list read from a backend, with what the console must say about how it was read.

A backend may repeat an id (a page that shifted while a device registered, a bug) or hand
out a `next` chain that never ends. Neither may crash a table or spin a poller: the list keeps
each id once and counts what it left out, and a chain that is cut says where and why, so the
screen can tell the operator the list is not the whole truth.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from operator import attrgetter
from typing import TypeVar

T = TypeVar("T")


class Listing(list[T]):
    """A plain list (every caller keeps working) that also carries how it was read."""

    repeated: int  # items left out because their id came again
    total: int | None  # what the server said it holds, when it said so
    stopped: str  # why reading stopped before the end; "" when the list is whole

    def __init__(
        self,
        items: Iterable[T] = (),
        *,
        repeated: int = 0,
        total: int | None = None,
        stopped: str = "",
    ) -> None:
        super().__init__(items)
        self.repeated = repeated
        self.total = total
        self.stopped = stopped

    @property
    def whole(self) -> bool:
        return not self.stopped and not self.repeated


def unique(
    items: Iterable[T],
    key: Callable[[T], Hashable],
    *,
    total: int | None = None,
    stopped: str = "",
) -> Listing[T]:
    """Keep the first item of each id, in order, and count the ones left out."""
    seen: set[Hashable] = set()
    kept: list[T] = []
    repeated = 0
    for item in items:
        ident = key(item)
        if ident in seen:
            repeated += 1
            continue
        seen.add(ident)
        kept.append(item)
    return Listing(kept, repeated=repeated, total=total, stopped=stopped)


def unique_ids(items: Iterable[T], *, total: int | None = None, stopped: str = "") -> Listing[T]:
    """`unique` by the models' own `id`, which every listed model of LibreNMS and OpenWISP has."""
    return unique(items, key=attrgetter("id"), total=total, stopped=stopped)


def reading_note(items: Iterable[object], what: str = "rows") -> str:
    """One line for the screen on a list that is not the whole truth; "" when it is."""
    if not isinstance(items, Listing):
        return ""
    parts = []
    if items.stopped:
        of = f" of {items.total:,}" if items.total is not None else ""
        parts.append(f"⚠ incomplete: {len(items):,}{of} {what} read, {items.stopped}")
    if items.repeated:
        ids = "id" if items.repeated == 1 else "ids"
        parts.append(f"⚠ {items.repeated:,} repeated {ids} in the answer, each shown once")
    return " · ".join(parts)


def reading_flag(items: Iterable[object]) -> tuple[str, ...]:
    """The same, short enough for a tile's line: () when the list is whole."""
    if not isinstance(items, Listing) or items.whole:
        return ()
    if items.stopped:
        of = f" of {items.total:,}" if items.total is not None else ""
        return (f"⚠ incomplete: {len(items):,}{of}",)
    return (f"⚠ {items.repeated:,} ids repeated",)


__all__ = ["Listing", "reading_flag", "reading_note", "unique", "unique_ids"]
