"""Modules imported on first use, so start-up pays only for what the first frame needs.

httpx with httpcore and lxml cost ~80 ms to import, and the console paints its first screen
before it asks any backend anything; the first request or XML parse imports them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module: the first attribute looked up imports it, then caches it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):  # copy/pickle/introspection probes: not the module's
            raise AttributeError(attribute)
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
