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


__all__ = ["Listing", "unique", "unique_ids"]
