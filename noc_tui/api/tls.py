"""TLS per backend: the system CAs, a `ca_file`, no verification, or a pinned certificate.

A pin (`tls_fingerprint`, the SHA-256 of the server's DER certificate) is checked inside the
TLS handshake itself: the SSL context hands out `SSLObject`s whose `do_handshake` compares the
peer certificate with the pin and raises `ssl.SSLCertVerificationError` on a mismatch. So the
connection fails before one byte of HTTP (and so before the Authorization header) is sent, and
httpx reports it as a TLS failure like any other certificate problem. A self-signed PBX
certificate can then be trusted without `verify_tls = false`: the pin replaces the CA check,
it never silently passes.
"""

from __future__ import annotations

import functools
import hashlib
import ssl

from noc_tui.config import normalise_fingerprint


def fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate as OpenSSL prints it: AB:CD:…"""
    return colons(hashlib.sha256(der).hexdigest())


def colons(hex_digest: str) -> str:
    upper = hex_digest.upper()
    return ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))


def short(fp: str) -> str:
    """Enough of a fingerprint to tell two apart in one line: first and last 4 bytes."""
    return f"{fp[:11]}…{fp[-11:]}" if len(fp) > 24 else fp


def check_pin(pin: str, der: bytes | None) -> None:
    """Raise unless `der` is the pinned certificate; called when a handshake completes."""
    if not der:
        raise _refused("certificate pin check failed: the server sent no certificate")
    if hashlib.sha256(der).hexdigest() != pin:
        raise _refused(
            "certificate fingerprint mismatch: pinned SHA-256 "
            f"{short(colons(pin))}, server presented {short(fingerprint(der))}"
        )


class _PinnedSSLObject(ssl.SSLObject):
    """What asyncio/anyio (our client) handshakes with: refuses any certificate but the pin."""

    pin = ""  # 64 lower-case hex digits, set on the per-pin subclass

    def do_handshake(self) -> None:
        super().do_handshake()  # SSLWantReadError while in progress: the caller loops
        check_pin(self.pin, self.getpeercert(binary_form=True))


class _PinnedSSLSocket(ssl.SSLSocket):
    """The same check for blocking sockets, so a synchronous client can never skip the pin."""

    pin = ""

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        check_pin(self.pin, self.getpeercert(binary_form=True))


def _refused(reason: str) -> ssl.SSLCertVerificationError:
    # (errno, strerror) so str() is the reason itself, not a tuple's repr.
    error = ssl.SSLCertVerificationError(1, reason)
    error.verify_message = reason
    return error


@functools.cache
def _pinned_classes(pin: str) -> tuple[type[ssl.SSLObject], type[ssl.SSLSocket]]:
    return (
        type("PinnedSSLObject", (_PinnedSSLObject,), {"pin": pin}),
        type("PinnedSSLSocket", (_PinnedSSLSocket,), {"pin": pin}),
    )


def pinned_context(pin: str, ca_file: str | None = None) -> ssl.SSLContext:
    """A context that trusts exactly the pinned certificate (and checks `ca_file` too if given).

    Without a CA file the chain and host name are not checked: the pin is the check, which is
    what makes a self-signed PBX certificate usable safely. It stays a plain `ssl.SSLContext`
    (anyio wraps such contexts on the event loop, not in a thread).
    """
    normal = normalise_fingerprint(pin)
    if normal is None:
        raise ValueError("tls_fingerprint is not a SHA-256 fingerprint (64 hex digits)")
    if ca_file:
        context = ssl.create_default_context(cafile=ca_file)
    else:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.sslobject_class, context.sslsocket_class = _pinned_classes(normal)
    return context
