"""The command line as an operator meets it: exit statuses and what is printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from noc_tui.cli import choose_theme, main


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_no_config_explains_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "no config file found" in err and "[[backends]]" in err and "noc-tui --demo" in err
    assert "Traceback" not in err


def test_config_error_exits_2_with_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(
        tmp_path, '[[backends]]\nname="x"\nkind="nagios"\nurl="http://a"\ntoken="abcd"\n'
    )
    assert main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "[[backends]] x kind" in err and "unknown kind 'nagios'" in err


def test_check_against_the_lab_exits_0(
    clean_lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    path = write_config(tmp_path, clean_lab.config_toml())
    assert main(["check", "--config", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(" OK " in line for line in out)
    assert any("krill" in line and "CPEs" in line for line in out)


def test_check_names_the_stopped_backend(
    clean_lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    path = write_config(tmp_path, clean_lab.config_toml())
    clean_lab.set_faults("kalliope", "down")
    assert main(["check", "--config", str(path), "--json"]) == 1
    lines = {line["name"]: line for line in json.loads(capsys.readouterr().out)}
    assert lines["kalliope"]["ok"] is False and "connection refused" in lines["kalliope"]["reason"]
    assert all(lines[name]["ok"] for name in ("krill", "librenms", "openwisp"))


def test_sim_print_config_is_a_valid_config(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "noc_tui", "sim", "--port", "18850", "--print-config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    path = write_config(tmp_path, done.stdout)
    from noc_tui.config import load_config

    config = load_config(path)
    assert [b.kind for b in config.backends] == ["krill", "librenms", "openwisp", "kalliope"]
    assert config.backends[0].url == "http://127.0.0.1:18850"


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "noc_tui", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("noc-tui ")


def test_bad_faults_spec_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--faults", "librenms:explode"]) == 2
    assert "librenms:explode" in capsys.readouterr().err


def test_theme_choice_honours_no_color() -> None:
    assert choose_theme(None, "noc-dark", {"NO_COLOR": "1"}) == "mono"
    assert choose_theme("high-contrast", "noc-dark", {"NO_COLOR": "1"}) == "high-contrast"
    assert choose_theme(None, "noc-light", {}) == "noc-light"


def test_unknown_theme_exits_2(
    clean_lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    path = write_config(tmp_path, clean_lab.config_toml())
    assert main(["--config", str(path), "--theme", "neon"]) == 2
    err = capsys.readouterr().err
    assert "unknown theme 'neon'" in err and "mono" in err


def test_a_token_cmd_that_is_not_executable_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "secret.sh"
    script.write_text("#!/bin/sh\necho s3cr3t\n")
    script.chmod(0o600)
    path = write_config(
        tmp_path,
        f'[[backends]]\nname="nms"\nkind="librenms"\nurl="http://a"\ntoken_cmd=["{script}"]\n',
    )
    assert main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[[backends]] nms token_cmd" in err and "is not executable" in err
    assert "Traceback" not in err and "PermissionError" not in err
