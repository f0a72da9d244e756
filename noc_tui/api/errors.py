"""The error kinds every API client raises, and the only ones the UI ever sees.

    BackendError                 (any failure talking to one backend)
     ├── Unreachable             connection refused / reset / DNS / dropped mid-answer
     ├── BackendTimeout          no answer within the backend's timeout
     ├── TlsError                certificate or handshake problem
     ├── AuthFailed              401, 403, login refused, expired token
     ├── NotFound                404 or the backend's own "no such thing"
     ├── ServerError             5xx or an error envelope, with the server's own message
     ├── MalformedResponse       HTML where JSON was due, garbage, a missing field
     │    └── AnswerTooLarge     over the backend's size limit, or a decompression bomb
     └── ActionRefused           a change refused by this console (read-only mode)

Every error names its backend and carries a one-line `title` fit for the status bar.
Messages are redacted before they are built: they never hold a secret.
"""

from __future__ import annotations


class BackendError(Exception):
    """A failure talking to one backend."""

    kind: str = "error"
    label: str = "error"

    def __init__(self, backend: str, detail: str = "") -> None:
        self.backend = backend
        self.detail = detail
        self.recorded = False  # counted in the backend's health already
        super().__init__(self.title)

    @property
    def title(self) -> str:
        """One line for the operator: backend, what happened, and the detail."""
        text = f"{self.backend}: {self.label}"
        return f"{text} ({self.detail})" if self.detail else text


class Unreachable(BackendError):
    kind = "unreachable"
    label = "unreachable"


class BackendTimeout(BackendError):
    kind = "timeout"
    label = "timed out"


class TlsError(BackendError):
    kind = "tls"
    label = "TLS error"


class AuthFailed(BackendError):
    kind = "auth"
    label = "authentication failed"


class NotFound(BackendError):
    kind = "not_found"
    label = "not found"


class ServerError(BackendError):
    kind = "server"
    label = "server error"

    def __init__(self, backend: str, detail: str = "", status: int | None = None) -> None:
        self.status = status
        super().__init__(backend, detail)


class MalformedResponse(BackendError):
    kind = "malformed"
    label = "malformed response"


class AnswerTooLarge(MalformedResponse):
    """Refused while it streamed in: the console's memory is not the backend's to fill."""

    kind = "too_large"
    label = "answer too large"


class ActionRefused(BackendError):
    kind = "refused"
    label = "action refused"


#: Errors worth a second try when the request was a read.
TRANSIENT: tuple[type[BackendError], ...] = (Unreachable, BackendTimeout)
