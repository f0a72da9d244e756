"""Per-backend health, kept by the client layer and read by the UI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from noc_tui.api.errors import BackendError, Unreachable

DOWN_AFTER_FAILURES = 3
LATENCY_WEIGHT = 0.3  # weight of the newest sample in the moving average


class BackendState(Enum):
    UNKNOWN = "unknown"
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass
class BackendHealth:
    name: str
    kind: str
    url: str
    last_ok: float | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    last_error_label: str | None = None
    last_error_at: float | None = None
    latency_ms: float | None = None
    consecutive_failures: int = 0
    requests: int = 0
    # What the last success replaced, while nothing else happened since: an answer that
    # arrives but is then rejected (malformed, hostile) takes that success back.
    _before_success: tuple[float | None, int] | None = None

    def record_success(self, at: float, latency_ms: float) -> None:
        self.requests += 1
        self._before_success = (self.last_ok, self.consecutive_failures)
        self.last_ok = at
        self.consecutive_failures = 0
        if self.latency_ms is None:
            self.latency_ms = latency_ms
        else:
            self.latency_ms += LATENCY_WEIGHT * (latency_ms - self.latency_ms)

    def record_rejected(self, at: float, error: BackendError) -> None:
        """The answer came but cannot be used: a failure, and not the success it looked."""
        if self._before_success is not None:
            self.last_ok, self.consecutive_failures = self._before_success
            self.requests -= 1  # the same request, counted once
        self.record_failure(at, error)

    def record_failure(self, at: float, error: BackendError) -> None:
        self._before_success = None
        self.requests += 1
        self.consecutive_failures += 1
        self.last_error = error.title
        self.last_error_kind = error.kind
        self.last_error_label = error.label
        self.last_error_at = at

    @property
    def state(self) -> BackendState:
        if self.requests == 0:
            return BackendState.UNKNOWN
        if self.consecutive_failures == 0:
            return BackendState.OK
        if (
            self.consecutive_failures >= DOWN_AFTER_FAILURES
            or self.last_error_kind == Unreachable.kind
            or self.last_ok is None
        ):
            return BackendState.DOWN
        return BackendState.DEGRADED

    def age(self, now: float) -> float | None:
        """Seconds since the last good answer, or None if there never was one."""
        return None if self.last_ok is None else max(0.0, now - self.last_ok)
