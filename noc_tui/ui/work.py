"""Async work for `run_worker`, typed so mypy can check the call."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from textual.worker import WorkType


def async_work(job: Callable[[], Coroutine[Any, Any, None]]) -> WorkType[None]:
    """`job` itself, as Textual's WorkType. Passed straight to run_worker, an async def or
    a partial of one (a Coroutine[Any, Any, None]) leaves mypy unable to pick the result
    type out of WorkType's union; given WorkType[None] it can. A function, not a coroutine,
    so a worker cancelled before it starts leaves no never-awaited coroutine behind."""
    return job
