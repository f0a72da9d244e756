"""The XDG paths: worked out in noc_tui/paths.py only, honoured by everything that keeps files."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_tui.audit import default_audit_path
from noc_tui.config import default_config_path
from noc_tui.logs import default_log_path
from noc_tui.ui.themes import user_theme_dir


def everything() -> dict[str, Path]:
    return {
        "config": default_config_path(),
        "themes": user_theme_dir(),
        "log": default_log_path(),
        "audit": default_audit_path(),
    }


def test_xdg_variables_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "st"))
    assert everything() == {
        "config": tmp_path / "cfg" / "noc-tui" / "config.toml",
        "themes": tmp_path / "cfg" / "noc-tui" / "themes",
        "log": tmp_path / "st" / "noc-tui" / "noc-tui.log",
        "audit": tmp_path / "st" / "noc-tui" / "audit.jsonl",
    }


@pytest.mark.parametrize("value", [None, "", "relative/dir"])
def test_unset_empty_or_relative_falls_back_to_home(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The spec: a relative path in XDG_* is invalid and ignored (not resolved from the cwd).
    for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, value)
    home = Path.home()
    assert everything() == {
        "config": home / ".config" / "noc-tui" / "config.toml",
        "themes": home / ".config" / "noc-tui" / "themes",
        "log": home / ".local" / "state" / "noc-tui" / "noc-tui.log",
        "audit": home / ".local" / "state" / "noc-tui" / "audit.jsonl",
    }


def test_an_env_mapping_is_used_in_place_of_the_environment(tmp_path: Path) -> None:
    from noc_tui.paths import config_dir, state_dir

    env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s")}
    assert config_dir(env) == tmp_path / "c" / "noc-tui"
    assert state_dir(env) == tmp_path / "s" / "noc-tui"
    assert default_config_path(env) == tmp_path / "c" / "noc-tui" / "config.toml"


def test_only_paths_py_reads_the_xdg_variables() -> None:
    package = Path(__file__).resolve().parent.parent / "noc_tui"
    readers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "XDG_" in path.read_text() and path.name != "paths.py"
    )
    assert readers == [], readers
