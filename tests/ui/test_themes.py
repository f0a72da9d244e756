"""Shipped themes load; a broken user theme is skipped and named, never fatal."""

from __future__ import annotations

from pathlib import Path

from noc_tui.ui.themes import load_themes


def test_shipped_themes_load() -> None:
    found = load_themes(extra_dirs=[])
    assert {"noc-dark", "noc-light", "high-contrast", "mono"} <= set(found.themes)
    assert found.problems == []


def test_user_theme_added_and_bad_one_reported(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nprimary = "#123456"\n[variables]\nstate-ok="green"\n'
        'state-degraded="yellow"\nstate-down="red"\nstate-unknown="grey"\nstale="grey"\n'
    )
    (tmp_path / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    found = load_themes(extra_dirs=[tmp_path])
    assert "mine" in found.themes
    assert "broken" not in found.themes
    assert len(found.problems) == 1 and "broken.toml" in found.problems[0]
    assert "not a colour" in found.problems[0]
