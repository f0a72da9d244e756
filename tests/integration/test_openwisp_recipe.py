"""The recipe tells a missing prerequisite (skip) from a failure, without installing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration import openwisp_peer

TOOLS = ("bash", "cat", "cut", "dirname", "grep", "id", "mkdir", "mktemp", "rm", "sha256sum")


@pytest.fixture
def no_debian_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH with the shell tools but no apt-get, and a dpkg-query that knows no package."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in TOOLS:
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} not installed")
        (tools / name).symlink_to(found)
    dpkg_query = tools / "dpkg-query"
    dpkg_query.write_text("#!/bin/sh\nexit 1\n")
    dpkg_query.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    return tmp_path / "state"


def test_no_apt_get_and_no_packages_is_unavailable_with_the_reason(no_debian_tools: Path) -> None:
    with pytest.raises(openwisp_peer.Unavailable) as missing:
        openwisp_peer.setup(no_debian_tools)
    reason = str(missing.value)
    assert "libsqlite3-mod-spatialite" in reason and "no apt-get" in reason


def test_the_recipe_is_in_the_repository() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert openwisp_peer.RECIPE.is_relative_to(repo)
    for name in ("setup.sh", "seed.py", "requirements.txt", "owpeer/settings.py"):
        assert (openwisp_peer.RECIPE / name).is_file()
