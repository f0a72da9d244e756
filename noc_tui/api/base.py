"""What every API client shares: its session, its health and a cheap authenticated ping,
and the net under every public method: nothing but our error kinds leaves a client."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from noc_tui.api.auth import Auth, NoAuth
from noc_tui.api.errors import BackendError, MalformedResponse
from noc_tui.api.health import BackendHealth
from noc_tui.api.http import BackendSession, HttpPool
from noc_tui.api.translate import generic_message
from noc_tui.config import BackendSettings

if TYPE_CHECKING:
    import httpx


log = logging.getLogger("noc_tui.api")

_F = TypeVar("_F", bound=Callable[..., Any])


class BadArgument(ValueError):
    """The caller asked for something the API has no word for (a bug of ours, not an answer
    of the backend's): let through the net as it is."""


# What the net lets through: our kinds, a caller's mistake, and the file system's own errors
# (a CDR export writing its file).
_PASSED = (BackendError, BadArgument, OSError)


def _netted(function: _F) -> _F:
    """`function` (a public coroutine or async generator of a client), with anything but
    `_PASSED` turned into MalformedResponse naming the backend: an answer our parsing did not
    foresee costs one failed request, never a traceback on the operator's screen. The
    traceback goes to the log file. The wrapper is marked `netted` (the original is its
    `__wrapped__`), so the fuzz test can take the net off and see the real exceptions."""
    name = function.__name__
    if inspect.isasyncgenfunction(function):

        @functools.wraps(function)
        async def generator(self: ApiClient, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            try:
                async with contextlib.aclosing(function(self, *args, **kwargs)) as items:
                    async for item in items:
                        yield item
            except _PASSED:
                raise
            except Exception as exc:
                raise self.unexpected(name, exc) from None

        # attr-defined: a mark on the wrapper, which mypy types as a plain function.
        generator.netted = True  # type: ignore[attr-defined]
        return cast(_F, generator)  # wraps(function): the same signature as `function`

    @functools.wraps(function)
    async def method(self: ApiClient, *args: Any, **kwargs: Any) -> Any:
        try:
            return await function(self, *args, **kwargs)
        except _PASSED:
            raise
        except Exception as exc:
            raise self.unexpected(name, exc) from None

    # attr-defined: as above, a mark on the wrapper.
    method.netted = True  # type: ignore[attr-defined]
    return cast(_F, method)


@dataclass(frozen=True)
class PingResult:
    """The answer to "are you there and do you accept us?", in one short line."""

    backend: str
    summary: str


class ApiClient:
    """Base of the four clients: one backend, one session on the shared pool."""

    kind = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attr, value in list(vars(cls).items()):
            if attr.startswith("_") or getattr(value, "__wrapped__", None) is not None:
                continue
            if inspect.iscoroutinefunction(value) or inspect.isasyncgenfunction(value):
                setattr(cls, attr, _netted(value))

    def __init__(self, pool: HttpPool, settings: BackendSettings) -> None:
        self.settings = settings
        self.session: BackendSession = pool.session(
            settings,
            self.make_auth(),
            self.error_message,
            query_paths=self.query_paths(),
            login_paths=self.login_paths(),
        )

    def make_auth(self) -> Auth:
        return NoAuth()

    def query_paths(self) -> tuple[str, ...]:
        """Exact paths this API POSTs to only to read: sent in read-only mode, retried."""
        return ()

    def login_paths(self) -> tuple[str, ...]:
        """Exact paths this API POSTs credentials to: sent in read-only mode, once."""
        return ()

    def error_message(self, response: httpx.Response) -> str:
        """The server's own words from an error answer."""
        return generic_message(response)

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def health(self) -> BackendHealth:
        return self.session.health

    async def ping(self) -> PingResult:
        raise NotImplementedError

    def malformed(self, detail: str) -> MalformedResponse:
        error = MalformedResponse(self.name, detail)
        self.session.fail(error)
        return error

    def unexpected(self, method: str, exc: Exception) -> MalformedResponse:
        """The net's catch: logged with its traceback, shown as a malformed answer."""
        log.error(
            "%s: %s failed on an answer it did not foresee (%s)",
            self.name,
            method,
            type(exc).__name__,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return self.malformed(f"an answer {method} could not read ({type(exc).__name__})")

    def require_dict(self, body: Any, what: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise self.malformed(f"{what}: expected a JSON object")
        return body
