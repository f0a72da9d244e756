"""noc-tui: a keyboard-driven terminal console for the network operations centre."""

__version__ = "0.1.0"
