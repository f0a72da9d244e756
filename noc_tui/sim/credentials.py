"""The lab's fixed credentials and the config that reaches it: no heavy imports here,
so the console can write the demo's config before the lab has even started."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

BACKENDS = ("krill", "librenms", "openwisp", "kalliope")

KRILL_USERNAME = "noc"
KRILL_PASSWORD = "krill-lab-password"
KRILL_STATIC_TOKEN = "krl_lab_6f1d0c9a7e3b4f2a8c5d1e0b9a7f6c3d"  # a long-lived API token

LIBRENMS_TOKEN_ID = "7"
LIBRENMS_TOKEN_SECRET = "LabLibreNMS0c4f9e2b7a1d5f3e8c6b0a9d2e4f7a1c"
LIBRENMS_TOKEN = f"{LIBRENMS_TOKEN_ID}|{LIBRENMS_TOKEN_SECRET}"

OPENWISP_USERNAME = "admin"
OPENWISP_PASSWORD = "openwisp-lab-password"
OPENWISP_TOKEN = "0be7a7012c0ffee0be7a7012c0ffee0be7a70121"  # 40 hex, the user's one DRF token

KALLIOPE_USERNAME = "admin"
KALLIOPE_PASSWORD = "kalliope-lab-password"
KALLIOPE_PASSWORD_MD5 = hashlib.md5(KALLIOPE_PASSWORD.encode(), usedforsecurity=False).hexdigest()

# What each backend's [[backends]] table carries, exactly as config keys.
CONFIG_CREDENTIALS: dict[str, dict[str, str]] = {
    "krill": {"username": KRILL_USERNAME, "password": KRILL_PASSWORD},
    "librenms": {"token": LIBRENMS_TOKEN},
    "openwisp": {"token": OPENWISP_TOKEN},
    "kalliope": {"username": KALLIOPE_USERNAME, "password": KALLIOPE_PASSWORD},
}

# Other keys the lab's backends need: the LibreNMS lab writes Madrid wall-clock timestamps.
LAB_SETTINGS: dict[str, dict[str, str]] = {"librenms": {"timezone": "Europe/Madrid"}}


def lab_config_toml(
    urls: Mapping[str, str],
    seed: int,
    poll_seconds: float = 5,
    kinds: Mapping[str, str] | None = None,
) -> str:
    """A config for the lab at `urls` (backend name → base URL), lab credentials included.

    `kinds` (name → kind) adds backends beyond the four, e.g. a second PBX 'kalliope-2';
    without it the names are the kinds."""
    lines = [
        f"# noc-tui built-in lab, seed {seed}: the credentials below are the lab's own.",
        "[ui]",
        'theme = "noc-dark"',
        "read_only = false",
    ]
    served = kinds or {name: name for name in BACKENDS}
    for name, kind in served.items():
        lines += ["", "[[backends]]"]
        fields = {
            "name": name,
            "kind": kind,
            "url": urls[name],
            **CONFIG_CREDENTIALS[kind],
            **LAB_SETTINGS.get(kind, {}),
        }
        lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
        lines.append(f"poll_seconds = {float(poll_seconds)!r}")
    return "\n".join(lines) + "\n"
