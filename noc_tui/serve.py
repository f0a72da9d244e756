"""`noc-tui serve`: the console in a browser (a TV in the NOC) through textual-serve.

textual-serve starts one console process per browser tab over a websocket. It has no login
of its own, so it listens on loopback unless told otherwise, and every served console is
read-only: put an authenticating proxy in front before opening it wider.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from textual_serve.server import Server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noc-tui serve",
        description=(
            "Serve the console to a browser with textual-serve (read-only). Other arguments "
            "go to the console, e.g. `noc-tui serve --wallboard --config lab.toml`."
        ),
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument("--title", default="noc-tui", help="the browser tab's title")
    return parser


def console_command(console_args: Sequence[str]) -> str:
    """The command each browser session runs: this Python, this package, always read-only."""
    args = [sys.executable, "-m", "noc_tui", *console_args]
    if "--read-only" not in args:
        args.append("--read-only")
    return shlex.join(args)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_server(args: argparse.Namespace, console_args: Sequence[str]) -> Server:
    from textual_serve.server import Server

    return Server(console_command(console_args), host=args.host, port=args.port, title=args.title)


def run_serve(argv: Sequence[str], err: TextIO = sys.stderr) -> int:
    args, console_args = serve_parser().parse_known_args(list(argv))
    if not is_loopback(args.host):
        err.write(
            f"noc-tui serve: warning: listening on {args.host}: textual-serve has no login; "
            "anyone who reaches this port sees the console (read-only).\n"
        )
    server = build_server(args, console_args)
    err.write(f"noc-tui serve: http://{args.host}:{args.port}  (ctrl+c stops)\n")
    server.serve()
    return 0
