"""Command line: pick the config, start the lab for --demo, run the console, `sim` or `check`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import os
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from noc_tui import __version__
from noc_tui.clock import SYSTEM_CLOCK
from noc_tui.config import (
    EXAMPLE_CONFIG,
    Config,
    ConfigError,
    default_config_path,
    find_config,
    load_config,
    parse_config,
)
from noc_tui.logs import LEVELS, default_log_path, setup_logging

if TYPE_CHECKING:
    from noc_tui.sim.lab import Lab, LabSizes
    from noc_tui.ui.app import NocApp
    from noc_tui.ui.terminal import ExitGuard

SCREEN_CHOICES = ("overview", "cpes", "alerts", "devices", "openwisp", "pbx", "cdr")
DEMO_POLL_SECONDS = 5.0
LAB_STOP_SECONDS = 0.8
DEMO_CPES = 500  # what `noc-tui sim` makes by default, so the demo lab has these names
EXIT_CONFIG = 2


def console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noc-tui",
        description="Keyboard-driven NOC console for Krill, LibreNMS, OpenWISP and KalliopePBX.",
        epilog="Subcommands: `noc-tui sim --help` (the built-in lab), `noc-tui check --help`, "
        "`noc-tui serve --help` (in a browser).",
    )
    parser.add_argument("--version", action="version", version=f"noc-tui {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: see README)")
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme (noc-dark, noc-light, high-contrast, mono, or your own)",
    )
    parser.add_argument(
        "--screen", choices=SCREEN_CHOICES, default="overview", help="screen to open first"
    )
    parser.add_argument("--search", metavar="TEXT", help="open the CPE screen searching for TEXT")
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every change, whatever the config says"
    )
    parser.add_argument(
        "--wallboard", action="store_true", help="wall display mode (always read-only)"
    )
    parser.add_argument(
        "--rotate",
        metavar="SECONDS",
        type=float,
        help="wallboard: seconds per page (overrides [ui] rotate_seconds)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="start the built-in lab and open the console on it"
    )
    parser.add_argument(
        "--log-file", metavar="PATH", help="log file (default ~/.local/state/noc-tui/noc-tui.log)"
    )
    parser.add_argument(
        "--log-level", default="INFO", type=str.upper, choices=LEVELS, help="log level"
    )
    return parser


def sim_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noc-tui sim", description="Run the built-in lab over HTTP."
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8800,
        help="first port: krill, librenms, openwisp, kalliope follow (0: ephemeral)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the lab's data")
    parser.add_argument("--cpes", type=int, default=500, help="number of CPEs in Krill")
    # The lab's size (README, "The built-in lab"): the defaults are the small demo lab,
    # the sim modules' DEFAULT_* (not imported here: the console starts without the lab).
    parser.add_argument(
        "--librenms-devices", type=_at_least(1), default=34, metavar="N", help="default 34"
    )
    parser.add_argument(
        "--alerts", type=_at_least(0), default=12, metavar="N", help="open LibreNMS alerts"
    )
    parser.add_argument(
        "--openwisp-devices", type=_at_least(0), default=36, metavar="N", help="default 36"
    )
    parser.add_argument(
        "--pbxes",
        type=_at_least(1),
        default=1,
        metavar="N",
        help="KalliopePBX instances, each on its own port (kalliope, kalliope-2, ...)",
    )
    parser.add_argument("--extensions", type=_at_least(1), default=320, metavar="N", help="per PBX")
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help='e.g. "librenms:latency=2s,krill:hostile,kalliope:down"; every fault: README,'
        ' "The built-in lab"',
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print a config TOML for the lab and exit"
    )
    parser.add_argument("--for-parent", metavar="FDS", help=argparse.SUPPRESS)
    return parser


def _at_least(least: int) -> Callable[[str], int]:
    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"expected at least {least}, not {value}")
        return value

    return count


def lab_sizes(args: argparse.Namespace) -> LabSizes:
    """`noc-tui sim`'s size options as Lab's keywords."""
    return {
        "librenms_devices": args.librenms_devices,
        "alerts": args.alerts,
        "openwisp_devices": args.openwisp_devices,
        "pbxes": args.pbxes,
        "extensions": args.extensions,
    }


def check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noc-tui check", description="Validate the config and reach every backend."
    )
    parser.add_argument("--config", metavar="PATH", help="config file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of lines")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["sim"]:
            return run_sim(sim_parser().parse_args(args[1:]))
        if args[:1] == ["check"]:
            return run_check(check_parser().parse_args(args[1:]))
        if args[:1] == ["serve"]:
            from noc_tui.serve import run_serve

            return run_serve(args[1:])
        return run_console(console_parser().parse_args(args))
    except KeyboardInterrupt:
        return 130


def run_sim(args: argparse.Namespace) -> int:
    from noc_tui.sim.faults import parse_faults
    from noc_tui.sim.lab import Lab, serve

    try:
        if args.faults:
            parse_faults(args.faults)
    except ValueError as problem:
        print(f"noc-tui sim: --faults: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    if args.for_parent:
        lab = Lab(
            host=args.host,
            port=0,
            seed=args.seed,
            cpes=args.cpes,
            faults=args.faults,
            **lab_sizes(args),
        )
        return _serve_for_parent(lab, args.for_parent)
    return serve(
        args.host,
        args.port,
        args.seed,
        args.cpes,
        args.faults,
        args.print_config,
        sizes=lab_sizes(args),
    )


def _serve_for_parent(lab: Lab, fds: str) -> int:
    """Child side of --demo: serve on the parent's listening sockets until stdin closes."""
    sockets = {}
    for item in fds.split(","):
        name, fd = item.split("=")
        sockets[name] = socket.socket(fileno=int(fd))
    lab.start(sockets)
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        lab.stop()
    return 0


def run_check(args: argparse.Namespace) -> int:
    from noc_tui.check import check_backends, print_lines

    config = _load_or_explain(args.config, sys.stderr)
    if config is None:
        return EXIT_CONFIG
    lines = asyncio.run(check_backends(config))
    print_lines(lines, args.json, sys.stdout)
    return 0 if all(line.ok for line in lines) else 1


def run_console(args: argparse.Namespace) -> int:
    from noc_tui.ui.terminal import ExitGuard

    # First of all: from here on SIGTERM, SIGHUP or SIGINT end the console within ~2 s,
    # whatever state it is in (ui/terminal.py says why the event loop cannot be trusted).
    guard = ExitGuard()
    guard.install()
    demo = DemoLab() if args.demo else None
    if demo:
        guard.at_hard_exit(demo.kill)
    try:
        config = demo.config if demo else _load_or_explain(args.config, sys.stderr)
        if config is None:
            return EXIT_CONFIG
        return _open_console(args, config, guard)
    finally:
        if demo:
            demo.stop()


def _open_console(args: argparse.Namespace, config: Config, guard: ExitGuard) -> int:
    # Start-up builds only what lives as long as the console (modules, classes, the app):
    # no collection pass is worth running until it is built, and then none should walk it.
    gc.disable()
    try:
        app = _build_app(args, config)
    finally:
        gc.freeze()
        gc.enable()
    if app is None:
        return EXIT_CONFIG
    if guard.exiting:
        return guard.code  # told to leave while starting: the app need not start at all
    guard.watch(app)
    app.run()
    return app.return_code or 0


def _build_app(args: argparse.Namespace, config: Config) -> NocApp | None:
    from noc_tui.api import Backends
    from noc_tui.ui.app import NocApp
    from noc_tui.ui.themes import load_themes

    themes = load_themes()
    theme = choose_theme(args.theme, config.ui.theme, os.environ)
    if theme not in themes.themes:
        where = "--theme" if args.theme else f"{config.path or 'config'}: [ui] theme"
        print(
            f"noc-tui: {where}: unknown theme {theme!r}; "
            f"available: {', '.join(sorted(themes.themes))}",
            file=sys.stderr,
        )
        return None
    log_path = setup_logging(Path(args.log_file) if args.log_file else None, args.log_level)
    notes = list(config.warnings)
    if log_path is None:
        notes.append("Logging is off: the log file could not be opened")
    read_only = args.read_only or args.wallboard or config.ui.read_only
    if args.demo and args.wallboard and not config.ui.watch_cpes:
        # Two of the lab's CPEs, so the demo wall has live graphs (only here: it costs 0.2 s).
        config = dataclasses.replace(
            config, ui=dataclasses.replace(config.ui, watch_cpes=demo_watch_cpes())
        )
    if args.rotate and args.rotate > 0:
        config = dataclasses.replace(
            config, ui=dataclasses.replace(config.ui, rotate_seconds=args.rotate)
        )
    if args.wallboard:
        from noc_tui.ui.wallboard_app import WallboardApp

        app_class: type[NocApp] = WallboardApp
    else:
        app_class = NocApp
    app = app_class(
        config,
        Backends(config, read_only=read_only),
        start_screen=args.screen if not args.search else "cpes",
        search=args.search,
        theme_name=theme,
        themes=themes,
        notes=notes,
    )
    return app


def choose_theme(flag: str | None, configured: str, env: Mapping[str, str]) -> str:
    """`--theme` wins; otherwise NO_COLOR asks for the theme that needs no colour at all."""
    if flag:
        return flag
    return "mono" if env.get("NO_COLOR") else configured


def _load_or_explain(explicit: str | None, err: TextIO) -> Config | None:
    path = find_config(explicit)
    if path is None:
        err.write(
            "noc-tui: no config file found (looked at --config, $NOC_TUI_CONFIG and "
            f"{default_config_path()}).\n\n"
            f"Write one like this to {default_config_path()}:\n\n{EXAMPLE_CONFIG}\n"
            "Or try the console on the built-in lab first:  noc-tui --demo\n"
        )
        return None
    try:
        config = load_config(path)
    except ConfigError as problem:
        err.write(f"noc-tui: config error: {problem}\n")
        return None
    for warning in config.warnings:
        err.write(f"noc-tui: warning: {warning}\n")
    return config


class DemoLab:
    """The lab for --demo, in its own process so its work never competes with the console.

    The console binds the four listening sockets itself and hands them over: it knows the
    lab's config at once and opens while the lab is still starting (early requests queue).
    """

    def __init__(self) -> None:
        from noc_tui.sim.credentials import BACKENDS, lab_config_toml

        self.sockets = {name: _listening_socket() for name in BACKENDS}
        urls = {
            name: f"http://127.0.0.1:{sock.getsockname()[1]}" for name, sock in self.sockets.items()
        }
        fds = ",".join(f"{name}={sock.fileno()}" for name, sock in self.sockets.items())
        log = _lab_log()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "noc_tui", "sim", "--for-parent", fds],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log,
            pass_fds=[sock.fileno() for sock in self.sockets.values()],
        )
        if log != subprocess.DEVNULL:
            os.close(log)
        # The lab owns the sockets now; a copy kept here would keep a "down" backend listening.
        for sock in self.sockets.values():
            sock.close()
        toml = lab_config_toml(urls, seed=1, poll_seconds=DEMO_POLL_SECONDS)
        self.config = parse_config(tomllib.loads(toml))

    def stop(self) -> None:
        try:
            if self.process.stdin:
                self.process.stdin.close()  # the lab exits when its stdin closes
            # It takes about half a second; the console's exit deadline is 1.2 s.
            self.process.wait(timeout=LAB_STOP_SECONDS)
        except (subprocess.TimeoutExpired, OSError):
            self.kill()

    def kill(self) -> None:
        """No waiting: the console is leaving by its deadline (the lab has nothing to save)."""
        with contextlib.suppress(OSError):
            self.process.kill()


def demo_watch_cpes(count: int = 2) -> tuple[str, ...]:
    """The first CPE names of the demo lab (seed 1, the default CPE count)."""
    from noc_tui.sim.krill_world import KrillWorld

    world = KrillWorld(1, SYSTEM_CLOCK, DEMO_CPES)
    return tuple(record["cpename"] for record in world.records[:count])


def _lab_log() -> int:
    """Where the demo lab's own complaints go (the terminal belongs to the console)."""
    path = default_log_path().with_name("lab.log")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return subprocess.DEVNULL


def _listening_socket() -> socket.socket:
    # IPPROTO_TCP so the lab's connections get TCP_NODELAY (see sim/servers.py _bind)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock
