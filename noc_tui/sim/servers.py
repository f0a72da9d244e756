"""The lab's listeners: uvicorn servers in one daemon thread with its own asyncio loop.

Each app listens on a socket bound here with SO_REUSEADDR, so taking one down really stops
listening: the port stays bound but not listening (connections are refused, the port stays
ours) and the app comes back on that same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn
from starlette.types import ASGIApp

from noc_tui.sim.faults import DroppedConnection, RefusedConnection

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
GRACEFUL_SHUTDOWN = 1  # seconds a stopping server waits for answers in flight (latency faults)
# h11's default (16 KiB) is less than a hostile 10,000-character name percent-encoded in a path.
MAX_REQUEST_HEAD = 256 * 1024

T = TypeVar("T")


class _LabServer(uvicorn.Server):
    """A uvicorn server that never touches signal handlers: it runs in the lab's thread."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class _Slot:
    """One app's port: its socket, and the server listening on it while it is up."""

    port: int
    sock: socket.socket
    server: _LabServer | None = None
    task: asyncio.Task[None] | None = None


class _QuietDrops(logging.Filter):
    """Injected drops, and answers cut short by stopping the lab, are the point, not errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DroppedConnection | RefusedConnection | asyncio.CancelledError):
            return False
        return "timeout graceful shutdown exceeded" not in record.getMessage()


class Listeners:
    def __init__(self, host: str, apps: Mapping[str, ASGIApp], server_headers: Mapping[str, str]):
        self.host = host
        self.apps = dict(apps)
        self.server_headers = dict(server_headers)
        self._slots: dict[str, _Slot] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._loop is not None

    @property
    def ports(self) -> dict[str, int]:
        return {name: slot.port for name, slot in self._slots.items()}

    def start(
        self,
        ports: Mapping[str, int],
        down: set[str],
        sockets: Mapping[str, socket.socket] | None = None,
    ) -> dict[str, int]:
        """Bind every port (0 = ephemeral), serve all but `down`; return the bound ports."""
        with self._lock:
            if self._loop is not None:
                return self.ports
            _quiet_uvicorn_drops()
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=_run_loop, args=(loop,), name="noc-tui-lab", daemon=True
            )
            thread.start()
            self._loop, self._thread = loop, thread
        try:
            self.call(self._start_all(ports, down, sockets or {}), START_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self.ports

    def stop(self) -> None:
        """Stop every server, close every socket and end the thread; safe to call twice."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._stop_all(), loop).result(STOP_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)
            for slot in self._slots.values():
                slot.sock.close()
            self._slots.clear()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = STOP_TIMEOUT) -> T:
        """Run a coroutine in the lab's loop from another thread and wait for its result."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("the lab is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def switch(self, name: str, down: bool, wait: bool = True) -> None:
        """Take `name` down or bring it back up, from the lab's loop or any other."""
        loop = self._loop
        if loop is None or name not in self._slots:
            return
        change = self._down(name, wait) if down else self._up(name)
        if asyncio.get_running_loop() is loop:
            await change
        else:  # e.g. an admin request through httpx.ASGITransport on a test's loop
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(change, loop))

    # -- in the lab's loop --------------------------------------------------------------------

    async def _start_all(
        self, ports: Mapping[str, int], down: set[str], sockets: Mapping[str, socket.socket]
    ) -> None:
        for name in self.apps:
            sock = sockets.get(name) or _bind(self.host, ports.get(name, 0))
            self._slots[name] = _Slot(sock.getsockname()[1], sock)
        await asyncio.gather(*(self._up(name) for name in self.apps if name not in down))

    async def _stop_all(self) -> None:
        for slot in self._slots.values():
            if slot.server is not None:
                slot.server.should_exit = True
        tasks = [slot.task for slot in self._slots.values() if slot.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _up(self, name: str) -> None:
        slot = self._slots[name]
        if slot.server is not None:
            return
        if slot.task is not None:
            await slot.task  # the previous server is still closing its connections
        config = uvicorn.Config(
            self.apps[name],
            host=self.host,
            port=slot.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
            server_header=False,
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
            headers=[("Server", self.server_headers.get(name, "lab"))],
        )
        server = _LabServer(config)
        slot.server = server
        slot.task = asyncio.create_task(server.serve(sockets=[slot.sock]))
        while not server.started:
            if slot.task.done():
                slot.server = None
                slot.task.result()
                raise RuntimeError(f"lab: {name} did not start")
            await asyncio.sleep(0.005)

    async def _down(self, name: str, wait: bool) -> None:
        slot = self._slots[name]
        server, slot.server = slot.server, None
        if server is None:
            return
        server.should_exit = True
        for listener in getattr(server, "servers", []):
            listener.close()  # stop accepting now, not at the server's next tick
        slot.sock = _bind(self.host, slot.port)  # bound but not listening: refused, yet ours
        if wait and slot.task is not None:
            await slot.task
            slot.task = None


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets; without it uvicorn's
    # header and body writes meet the client's delayed ACK and every reused request waits ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(error.errno, f"{error.strerror} ({host} port {port})") from None
    return sock


def _quiet_uvicorn_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())
