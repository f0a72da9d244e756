"""Clients on the lab for the API tests."""

from __future__ import annotations

import dataclasses

from noc_tui.api import Backends
from noc_tui.config import Config


def backends_for(lab, **changes) -> Backends:  # type: ignore[no-untyped-def]
    """Every lab backend, each with `changes` applied to its settings."""
    config: Config = lab.config()
    if changes:
        config = dataclasses.replace(
            config, backends=tuple(dataclasses.replace(b, **changes) for b in config.backends)
        )
    return Backends(config)
