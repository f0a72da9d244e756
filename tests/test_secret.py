"""Secrets are masked wherever they could surface as text."""

from __future__ import annotations

from noc_tui.secret import MASK, Secret, redact


def test_secret_never_prints_itself() -> None:
    secret = Secret("hunter2-very-secret")
    assert "hunter2" not in str(secret) and "hunter2" not in repr(secret)
    assert f"{secret}" == MASK


def test_known_secret_is_masked_anywhere() -> None:
    Secret("zz-known-value-42")
    assert redact("failed with zz-known-value-42 inside") == f"failed with {MASK} inside"


def test_credential_shapes_are_masked_even_if_unknown() -> None:
    text = redact(
        "GET https://nms/api?token=abc123&x=1 Authorization: Bearer eyJhbGci.x.y "
        "X-Auth-Token: deadbeef api_token=1|abc"
    )
    for leaked in ("abc123", "eyJhbGci", "deadbeef", "1|abc"):
        assert leaked not in text
    assert "x=1" in text
