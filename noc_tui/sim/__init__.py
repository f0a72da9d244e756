"""The built-in lab: Krill, LibreNMS, OpenWISP and KalliopePBX imitated over HTTP on loopback.

Imports nothing from the console (`noc_tui.ui`) or Textual: the lab also runs on its own,
as `noc-tui sim`, and in the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from noc_tui.sim.lab import Lab, LabBackend

__all__ = ["Lab", "LabBackend"]


def __getattr__(name: str) -> Any:
    # Lazy, so `noc_tui.sim.credentials` stays cheap for the console's --demo start-up.
    if name in __all__:
        from noc_tui.sim import lab

        return getattr(lab, name)
    raise AttributeError(name)
