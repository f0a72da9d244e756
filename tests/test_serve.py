"""`noc-tui serve`: the server it builds (host, port, command), never started, no browser."""

from __future__ import annotations

import io
import shlex
import sys

import pytest
from textual_serve.server import Server

from noc_tui.cli import main
from noc_tui.serve import build_server, console_command, is_loopback, run_serve, serve_parser


def test_defaults_are_loopback_port_8000_and_read_only() -> None:
    args, rest = serve_parser().parse_known_args([])
    server = build_server(args, rest)
    assert isinstance(server, Server)
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert shlex.split(server.command) == [sys.executable, "-m", "noc_tui", "--read-only"]


def test_host_port_and_console_arguments_reach_the_server() -> None:
    args, rest = serve_parser().parse_known_args(
        ["--host", "::1", "--port", "8123", "--wallboard", "--config", "/etc/noc.toml"]
    )
    server = build_server(args, rest)
    assert (server.host, server.port) == ("::1", 8123)
    command = shlex.split(server.command)
    assert command[3:] == ["--wallboard", "--config", "/etc/noc.toml", "--read-only"]


def test_read_only_is_not_doubled() -> None:
    assert console_command(["--read-only"]).count("--read-only") == 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_cli_serve_builds_and_serves_without_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Server] = []
    monkeypatch.setattr(Server, "serve", lambda self, debug=False: started.append(self))
    assert main(["serve", "--port", "8124", "--wallboard", "--demo"]) == 0
    (server,) = started
    assert (server.host, server.port) == ("127.0.0.1", 8124)
    assert shlex.split(server.command)[3:] == ["--wallboard", "--demo", "--read-only"]


def test_a_non_loopback_host_is_warned_about(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Server, "serve", lambda self, debug=False: None)
    err = io.StringIO()
    assert run_serve(["--host", "0.0.0.0"], err=err) == 0
    assert "no login" in err.getvalue()
