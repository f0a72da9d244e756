"""The built-in lab: Krill, LibreNMS, OpenWISP and KalliopePBX imitated over HTTP on loopback.

Imports nothing from the console (`noc_tui.ui`) or Textual: the lab also runs on its own,
as `noc-tui sim`, and in the tests.
"""

from noc_tui.sim.lab import Lab, LabBackend

__all__ = ["Lab", "LabBackend"]
