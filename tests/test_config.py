"""Config errors name the file, the table and the key, and say what was expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from noc_tui.config import ConfigError, find_config, load_config

GOOD = """
[ui]
theme = "mono"

[[backends]]
name = "nms"
kind = "librenms"
url = "https://nms.example.net"
token_env = "NMS_TOKEN"
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    os.chmod(path, mode)
    return path


def error_for(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env=env or {})
    return str(caught.value)


def test_good_config_resolves_secret_from_env(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), env={"NMS_TOKEN": "s3cr3t-token"})
    backend = config.backend("nms")
    assert backend.token is not None and backend.token.reveal() == "s3cr3t-token"
    assert "s3cr3t" not in repr(backend)
    assert config.ui.theme == "mono"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[ui\ntheme=")
    assert "config.toml" in message and "not valid TOML" in message


def test_unknown_kind(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('kind = "librenms"', 'kind = "zabbix"'))
    assert "[[backends]] nms kind" in message and "unknown kind 'zabbix'" in message
    assert "krill, librenms, openwisp, kalliope" in message


def test_duplicate_name(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[[backends]]\nname = "nms"\nkind = "librenms"\nurl = "https://x"\ntoken = "abcd1234"\n'
    )
    message = error_for(tmp_path, text, env={"NMS_TOKEN": "t0ken-value"})
    assert "duplicate backend name 'nms'" in message and "#2" in message


def test_missing_url(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('url = "https://nms.example.net"\n', ""))
    assert "[[backends]] nms url" in message and "missing" in message


def test_unset_secret_env_var(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD)
    assert "token_env" in message and "NMS_TOKEN is not set" in message


def test_two_secrets_given(tmp_path: Path) -> None:
    text = GOOD.replace('token_env = "NMS_TOKEN"', 'token_env = "NMS_TOKEN"\ntoken = "literal1"')
    message = error_for(tmp_path, text, env={"NMS_TOKEN": "abcdabcd"})
    assert "give only one of token, token_env" in message


def test_bad_type(tmp_path: Path) -> None:
    text = GOOD.replace('token_env = "NMS_TOKEN"', 'token = "abcd1234"\npoll_seconds = "often"')
    message = error_for(tmp_path, text)
    assert "[[backends]] nms poll_seconds" in message and "expected a positive number" in message


def test_boolean_is_not_a_number(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("[ui]", "[ui]\nrotate_seconds = true"))
    assert "[ui] rotate_seconds" in message


def test_unknown_key_is_named(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("[ui]", "[ui]\ncolour = 1"))
    assert "[ui] colour" in message and "unknown key" in message


def test_no_backends(tmp_path: Path) -> None:
    assert "no backend configured" in error_for(tmp_path, "[ui]\ntheme='mono'\n")


def test_token_cmd_runs_without_shell(tmp_path: Path) -> None:
    text = GOOD.replace('token_env = "NMS_TOKEN"', 'token_cmd = ["echo", "from-cmd-secret"]')
    config = load_config(write(tmp_path, text), env={})
    assert config.backend("nms").token.reveal() == "from-cmd-secret"  # type: ignore[union-attr]


def test_token_cmd_failure_is_explained(tmp_path: Path) -> None:
    text = GOOD.replace('token_env = "NMS_TOKEN"', 'token_cmd = ["false"]')
    assert "command false failed with exit status 1" in error_for(tmp_path, text)
    text = GOOD.replace('token_env = "NMS_TOKEN"', 'token_cmd = ["no-such-binary-xyz"]')
    assert "command not found: no-such-binary-xyz" in error_for(tmp_path, text)


def test_kalliope_password_is_sent_as_md5(tmp_path: Path) -> None:
    text = '[[backends]]\nname="pbx"\nkind="kalliope"\nurl="http://10.0.0.5"\nusername="admin"\npassword_env="PBX"\n'
    config = load_config(write(tmp_path, text), env={"PBX": "admin"})
    assert config.backend("pbx").password_md5.reveal() == "21232f297a57a5a743894a0e4a801fc3"  # type: ignore[union-attr]


def test_world_readable_literal_secret_warns(tmp_path: Path) -> None:
    text = GOOD.replace('token_env = "NMS_TOKEN"', 'token = "literal-secret"')
    config = load_config(write(tmp_path, text, mode=0o644), env={})
    assert any("chmod 600" in warning for warning in config.warnings)
    assert not load_config(write(tmp_path, text, mode=0o600), env={}).warnings


def test_lookup_order(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "noc-tui").mkdir(parents=True)
    (xdg / "noc-tui" / "config.toml").write_text(GOOD)
    env = {"XDG_CONFIG_HOME": str(xdg)}
    assert find_config(None, env) == xdg / "noc-tui" / "config.toml"
    assert find_config(None, {**env, "NOC_TUI_CONFIG": "/etc/n.toml"}) == Path("/etc/n.toml")
    assert find_config("/x.toml", {**env, "NOC_TUI_CONFIG": "/etc/n.toml"}) == Path("/x.toml")
    assert find_config(None, {"XDG_CONFIG_HOME": str(tmp_path / "none")}) is None


def _token_cmd(argv: list[str]) -> str:
    quoted = ", ".join(f'"{part}"' for part in argv)
    return GOOD.replace('token_env = "NMS_TOKEN"', f"token_cmd = [{quoted}]")


def test_token_cmd_that_cannot_run_is_a_config_error(tmp_path: Path) -> None:
    script = tmp_path / "secret.sh"
    script.write_text("#!/bin/sh\necho s3cr3t\n")
    script.chmod(0o600)  # not executable
    message = error_for(tmp_path, _token_cmd([str(script)]))
    assert "token_cmd" in message and "is not executable" in message
    message = error_for(tmp_path, _token_cmd([str(tmp_path)]))  # a directory
    assert "token_cmd" in message and "is not executable" in message
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x00\x01\x02 not a program")
    garbage.chmod(0o700)  # executable, but neither a binary nor a script (ENOEXEC)
    message = error_for(tmp_path, _token_cmd([str(garbage)]))
    assert "token_cmd" in message and "cannot be run" in message
    message = error_for(tmp_path, _token_cmd(["echo", "a\\u0000b"]))
    assert "NUL" in message


def test_token_cmd_printing_non_utf8_is_a_config_error(tmp_path: Path) -> None:
    message = error_for(tmp_path, _token_cmd(["printf", "\\\\377\\\\376"]))
    assert "not UTF-8" in message


@pytest.mark.parametrize("token", ["tökén-1234", "xyz def", "abc\\u0000", "qrs\\nbreak"])
def test_a_token_no_header_can_carry_is_a_config_error(tmp_path: Path, token: str) -> None:
    text = GOOD.replace('token_env = "NMS_TOKEN"', f'token = "{token}"')
    message = error_for(tmp_path, text)
    assert "[[backends]] nms token" in message and "HTTP header" in message
    message = error_for(
        tmp_path, GOOD, env={"NMS_TOKEN": token.replace("\\u0000", "\0").replace("\\n", "\n")}
    )
    assert "token_env" in message and "HTTP header" in message
    assert token[:3] not in message.split(":", 1)[1]  # the secret itself is not shown


def test_md5_works_on_a_fips_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # KalliopePBX wants md5 of the password, a protocol need, not security: on a FIPS host
    # hashlib.md5() raises unless told so with usedforsecurity=False.
    import hashlib

    real = hashlib.md5

    def fips_md5(data: bytes = b"", *, usedforsecurity: bool = True) -> object:
        if usedforsecurity:
            raise ValueError("[digital envelope routines] unsupported")
        return real(data, usedforsecurity=False)

    monkeypatch.setattr(hashlib, "md5", fips_md5)
    text = '[[backends]]\nname="pbx"\nkind="kalliope"\nurl="http://10.0.0.5"\nusername="admin"\npassword_env="PBX"\nprivacy_password_env="PRIV"\n'
    config = load_config(write(tmp_path, text), env={"PBX": "admin", "PRIV": "admin"})
    assert config.backend("pbx").password_md5.reveal() == "21232f297a57a5a743894a0e4a801fc3"  # type: ignore[union-attr]
    assert config.backend("pbx").privacy_password_md5.reveal() == real(b"admin").hexdigest()  # type: ignore[union-attr]


def test_every_md5_in_the_package_says_it_is_not_for_security() -> None:
    # The lab computes its md5s at import: a FIPS host could not even start the demo.
    import re

    package = Path(__file__).resolve().parent.parent / "noc_tui"
    calls = [
        f"{path.name}: {line.strip()}"
        for path in package.rglob("*.py")
        for line in path.read_text().splitlines()
        if re.search(r"hashlib\.md5\(", line) and "usedforsecurity=False" not in line
    ]
    assert not calls, calls
