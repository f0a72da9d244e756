"""Where noc-tui keeps its files, by the XDG base directory spec: the one place that reads it.

Config (config.toml, themes/) under $XDG_CONFIG_HOME, default ~/.config; state (the log, the
audit trail) under $XDG_STATE_HOME, default ~/.local/state. The spec says a relative path in
these variables is invalid and must be ignored, and an empty one means unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP = "noc-tui"


def _base(env: Mapping[str, str] | None, variable: str, *default: str) -> Path:
    env = os.environ if env is None else env
    value = env.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home().joinpath(*default)


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/noc-tui`, else `~/.config/noc-tui`."""
    return _base(env, "XDG_CONFIG_HOME", ".config") / APP


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/noc-tui`, else `~/.local/state/noc-tui`."""
    return _base(env, "XDG_STATE_HOME", ".local", "state") / APP
