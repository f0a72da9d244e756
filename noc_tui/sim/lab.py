"""The built-in lab: the four imitations served over real HTTP on loopback, one port each.

`Lab` owns the worlds, the faults and the config the console needs; `servers.Listeners`
runs the uvicorn servers in one background thread and makes 'down' real. Its size is a
choice (devices, alerts, PBXes, extensions): the defaults are the small demo lab, and a
lab at ISP size is the same worlds with more of each kind.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO, TypedDict

from starlette.types import ASGIApp

from noc_tui.clock import SYSTEM_CLOCK, Clock
from noc_tui.config import Config, parse_config
from noc_tui.sim import (
    kalliope,
    kalliope_world,
    krill,
    librenms,
    librenms_world,
    openwisp,
    openwisp_world,
)
from noc_tui.sim.common import SimBackend
from noc_tui.sim.credentials import lab_config_toml
from noc_tui.sim.faults import (
    ADMIN_PATH,
    BACKENDS,
    BackendFaults,
    FaultMiddleware,
    FaultState,
    parse_backend_faults,
    parse_faults,
)
from noc_tui.sim.servers import Listeners
from noc_tui.sim.traffic import Traffic, TrafficMiddleware


class LabSizes(TypedDict, total=False):
    """Lab's size keywords, as `noc-tui sim`'s options give them."""

    librenms_devices: int
    alerts: int
    openwisp_devices: int
    pbxes: int
    extensions: int


@dataclass(frozen=True)
class LabBackend:
    name: str
    kind: str
    url: str
    credentials: dict[str, str]  # exactly the config keys, e.g. {"token": "..."}


class Lab:
    """Krill, LibreNMS, OpenWISP and KalliopePBX, seeded, on four loopback ports."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        cpes: int = 500,
        faults: str | None = None,
        clock: Clock | None = None,
        kalliope_license_ok: bool = True,
        librenms_devices: int = librenms_world.DEFAULT_DEVICES,
        alerts: int = librenms_world.DEFAULT_ALERTS,
        openwisp_devices: int = openwisp_world.DEFAULT_DEVICES,
        pbxes: int = 1,
        extensions: int = kalliope_world.DEFAULT_EXTENSIONS,
    ) -> None:
        check_sizes(librenms_devices, alerts, openwisp_devices, pbxes, extensions)
        self.host = host
        self.port = port
        self.seed = seed
        self.clock = clock or SYSTEM_CLOCK
        self.faults = FaultState(seed, parse_faults(faults))
        self.traffic = Traffic()  # what the console asked of each served backend
        self.faults.on_change = self._faults_changed
        self._sims: dict[str, SimBackend] = {
            "krill": krill.create(seed=seed, clock=self.clock, cpes=cpes),
            "librenms": librenms.create(
                seed=seed, clock=self.clock, devices=librenms_devices, alerts=alerts
            ),
            "openwisp": openwisp.create(seed=seed, clock=self.clock, devices=openwisp_devices),
        }
        self._kinds = {name: name for name in BACKENDS}
        for number in range(1, pbxes + 1):
            # More PBXes: each its own world (its own seed) and port; they share kalliope's
            # faults, and 'kalliope:down' takes them all down.
            name = pbx_name(number)
            self._kinds[name] = "kalliope"
            self._sims[name] = kalliope.create(
                seed=seed + PBX_SEED_STEP * (number - 1),
                clock=self.clock,
                license_ok=kalliope_license_ok,
                extensions=extensions,
            )
        self._asgi: dict[str, ASGIApp] = {}
        served = {name: self._wrap(name, served=True) for name in self._sims}
        headers = {name: sim.server for name, sim in self._sims.items()}
        self._listeners = Listeners(host, served, headers)

    def start(self, sockets: Mapping[str, socket.socket] | None = None) -> list[LabBackend]:
        """Listen on all four ports (in a background thread); return once each one accepts.

        `sockets` are already bound (and maybe listening) sockets handed over by a parent
        process, so it can know the ports, and queue connections, before the lab is up.
        """
        ports = {
            name: self.port + index if self.port else 0 for index, name in enumerate(self._sims)
        }
        down = {name for name, kind in self._kinds.items() if self.faults.get(kind).down}
        self._listeners.start(ports, down, sockets or {})
        return self.backends

    def stop(self) -> None:
        """Stop every server, close every socket, end the thread; safe to call twice."""
        self._listeners.stop()

    @property
    def backends(self) -> list[LabBackend]:
        ports = self._listeners.ports
        if not ports and self.port:
            ports = {name: self.port + index for index, name in enumerate(self._sims)}
        if not ports:
            raise RuntimeError("the lab is not started: its ephemeral ports are not known yet")
        host = _url_host(self.host)
        return [
            LabBackend(
                name, kind, f"http://{host}:{ports[name]}", dict(self._sims[name].credentials)
            )
            for name, kind in self._kinds.items()
        ]

    def set_faults(self, backend: str, spec: str) -> None:
        """Replace one backend's faults: 'latency=2s,error_rate=0.3', 'down' or '' to clear."""
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
        faults = parse_backend_faults(spec)
        if self._listeners.running:
            self._listeners.call(self.faults.change(backend, faults))
        else:
            self.faults.set(backend, faults)  # nothing listens yet: only the state changes

    def config_toml(self, poll_seconds: float = 5) -> str:
        """A config for this lab, literal credentials included (they are lab credentials)."""
        urls = {backend.name: backend.url for backend in self.backends}
        return lab_config_toml(urls, self.seed, poll_seconds, self._kinds)

    def config(self, poll_seconds: float = 5) -> Config:
        return parse_config(tomllib.loads(self.config_toml(poll_seconds)))

    def asgi_app(self, backend: str) -> ASGIApp:
        """The backend's app behind its faults, for httpx.ASGITransport (no socket needed)."""
        if backend not in self._asgi:
            self._asgi[backend] = self._wrap(backend, served=False)
        return self._asgi[backend]

    def sim(self, backend: str) -> SimBackend:
        """The backend's imitation itself: its world, credentials and extras (for tests);
        `backend` is a served name, e.g. 'kalliope-2' for the second PBX."""
        return self._sims[backend]

    def _wrap(self, name: str, served: bool) -> ASGIApp:
        sim = self._sims[name]
        faulted = FaultMiddleware(
            sim.app, self._kinds[name], self.faults, sim.faults, served=served
        )
        return TrafficMiddleware(faulted, name, self.traffic)

    async def _faults_changed(
        self, backend: str, old: BackendFaults, new: BackendFaults, via: str | None
    ) -> None:
        if old.down != new.down:
            # A backend taking itself down cannot wait for its own answer to finish.
            for name in [name for name, kind in self._kinds.items() if kind == backend]:
                await self._listeners.switch(name, new.down, wait=via != backend)


PBX_SEED_STEP = 10_007  # the n-th PBX's data comes from seed + (n - 1) * this


def pbx_name(number: int) -> str:
    """The first PBX keeps the name the small lab always had; more are kalliope-2, -3, ..."""
    return "kalliope" if number == 1 else f"kalliope-{number}"


def check_sizes(
    librenms_devices: int, alerts: int, openwisp_devices: int, pbxes: int, extensions: int
) -> None:
    """Raise ValueError naming the first size the lab cannot be built with."""
    for name, value, least in (
        ("librenms_devices", librenms_devices, 1),
        ("alerts", alerts, 0),
        ("openwisp_devices", openwisp_devices, 0),
        ("pbxes", pbxes, 1),
        ("extensions", extensions, 1),
    ):
        if value < least:
            raise ValueError(f"{name} must be at least {least}, not {value}")


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def serve(
    host: str,
    port: int,
    seed: int,
    cpes: int,
    faults: str | None,
    print_config: bool,
    out: TextIO = sys.stdout,
    sizes: LabSizes | None = None,
) -> int:
    """`noc-tui sim`: print a config, or run the lab in the foreground until Ctrl-C / SIGTERM.

    `sizes` are Lab's size keywords (librenms_devices, alerts, openwisp_devices, pbxes,
    extensions)."""
    lab = Lab(host=host, port=port, seed=seed, cpes=cpes, faults=faults, **(sizes or {}))
    if print_config:
        if not port:
            print("noc-tui sim: --print-config needs a fixed --port, not 0", file=sys.stderr)
            return 2
        out.write(lab.config_toml())
        return 0
    stopping = threading.Event()
    with _stop_on_signals(stopping):
        try:
            backends = lab.start()
        except OSError as problem:
            print(f"noc-tui sim: cannot listen on {host}: {problem}", file=sys.stderr)
            return 1
        try:
            _announce(lab, backends, out)
            while not stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            lab.stop()
    return 0


def _announce(lab: Lab, backends: list[LabBackend], out: TextIO) -> None:
    out.write(f"noc-tui lab (seed {lab.seed}) listening:\n")
    width = max(9, *(len(backend.name) for backend in backends))
    for backend in backends:
        secrets = " ".join(f"{key}={value}" for key, value in backend.credentials.items())
        out.write(f"  {backend.name:<{width}} {backend.kind:<9} {backend.url:<24} {secrets}\n")
    current = ", ".join(f"{name}: {spec}" for name, spec in lab.faults.snapshot().items() if spec)
    out.write(f"faults: {current or 'none'}\n")
    example = json.dumps({"backend": "librenms", "faults": "latency=2s"})
    out.write(f"change them: curl -X POST {backends[0].url}{ADMIN_PATH} -d '{example}'\n")
    out.write("Ctrl-C stops the lab.\n")
    out.flush()


@contextlib.contextmanager
def _stop_on_signals(stopping: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM end the lab cleanly (only the main thread may set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
