"""Determinism for every test: no user config, no user themes, no colour env leaking in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings


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


# Hostile-answer tests (tests/api/test_fuzz_clients.py): `make test` runs a fixed seed and few
# examples; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) many more, each run new. No example database:
# a run depends on nothing left behind by an earlier one.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    parent=settings.get_profile("ci"),
    derandomize=False,
    max_examples=1000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
