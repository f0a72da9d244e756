"""Determinism for every test: no user config, no user themes, no colour env leaking in."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    for var in ("NOC_TUI_CONFIG", "NO_COLOR", "TEXTUAL_THEME", "COLORTERM", "TEXTUAL"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(scope="session")
def lab():  # type: ignore[no-untyped-def]
    """One lab over real loopback HTTP for the whole run (faults are cleared per test)."""
    from noc_tui.sim import Lab

    running = Lab(seed=1, cpes=120)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def clean_lab(lab):  # type: ignore[no-untyped-def]
    for backend in ("krill", "librenms", "openwisp", "kalliope"):
        lab.set_faults(backend, "")
    yield lab
    for backend in ("krill", "librenms", "openwisp", "kalliope"):
        lab.set_faults(backend, "")
