"""The layers stay apart: the client layer, the lab and the config never pull in Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["noc_tui.api", "noc_tui.sim.lab", "noc_tui.config", "noc_tui.check", "noc_tui.cli"]
)
def test_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules"
        " if m == 'textual' or m.startswith(('textual.', 'noc_tui.ui')));"
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"{module} imports {done.stdout.strip()}"


def test_ui_makes_no_http_call_itself() -> None:
    """Screens and widgets ask the API layer; they never import httpx."""
    from pathlib import Path

    import noc_tui.ui

    for path in Path(noc_tui.ui.__file__).parent.rglob("*.py"):
        text = path.read_text()
        assert "import httpx" not in text and "from httpx" not in text, path
