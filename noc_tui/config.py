"""The config file: TOML in, validated and typed settings out, secrets resolved.

Every problem becomes a `ConfigError` naming the file, the table and the key and saying what
was expected; the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from noc_tui.paths import config_dir
from noc_tui.secret import Secret

KINDS = ("krill", "librenms", "openwisp", "kalliope")
# The most one answer may hold, decoded. The lab's 100,000 call records are 50 MB of XML and its
# 10,000 alerts 2.7 MB of JSON; real systems write more per record, so twice that still fits.
DEFAULT_MAX_RESPONSE_MB = 128.0
SECRET_CMD_TIMEOUT = 10.0

EXAMPLE_CONFIG = """\
[ui]
theme = "noc-dark"
read_only = false

[[backends]]
name = "krill"
kind = "krill"                 # krill | librenms | openwisp | kalliope
url = "https://krill.example.net"
token_env = "KRILL_TOKEN"      # or token / token_cmd, or username + password(_env/_cmd)

[[backends]]
name = "librenms"
kind = "librenms"
url = "https://librenms.example.net"
token_env = "LIBRENMS_TOKEN"
"""


class ConfigError(Exception):
    """A config problem, already worded for the operator."""

    def __init__(self, path: Path | None, where: str, message: str) -> None:
        self.path = path
        self.where = where
        self.message = message
        prefix = f"{path}" if path else "config"
        super().__init__(f"{prefix}: {where}: {message}" if where else f"{prefix}: {message}")


@dataclass(frozen=True)
class UiSettings:
    theme: str = "noc-dark"
    read_only: bool = False
    bell_on_critical: bool = True
    rotate_seconds: float = 20.0
    watch_cpes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackendSettings:
    name: str
    kind: str
    url: str
    token: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    password_md5: Secret | None = None
    privacy_password_md5: Secret | None = None
    poll_seconds: float = 10.0
    timeout_seconds: float = 8.0
    verify_tls: bool = True
    ca_file: str | None = None
    tls_fingerprint: str | None = None
    max_concurrency: int = 4
    max_response_mb: float = DEFAULT_MAX_RESPONSE_MB
    realm: str | None = None
    login_path: str = "/api/v2/auth/login"
    # Per kind, each checked once at load (what a client would otherwise re-check):
    page_size: int | None = None  # krill: CPEs per page
    action_method: str = "POST"  # krill: how its action links are called (POST or PUT)
    rate_limit_per_second: float | None = None  # any: a client-side request rate limit
    api_version: int = 3  # kalliope: the API generation (only 3 is spoken)
    timezone: str | None = None  # librenms: the zone of its zone-less timestamps

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")

    @property
    def display_url(self) -> str:
        """The URL fit for a screen: no user:password@, no query string."""
        parts = urlsplit(self.base_url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class Config:
    ui: UiSettings
    backends: tuple[BackendSettings, ...]
    path: Path | None = None
    warnings: tuple[str, ...] = ()

    def backend(self, name: str) -> BackendSettings:
        for backend in self.backends:
            if backend.name == name:
                return backend
        raise KeyError(name)


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / "config.toml"


def find_config(explicit: str | None, env: Mapping[str, str] | None = None) -> Path | None:
    """`--config`, then `$NOC_TUI_CONFIG`, then the XDG path; None when nothing exists."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get("NOC_TUI_CONFIG"):
        return Path(env["NOC_TUI_CONFIG"]).expanduser()
    candidate = default_config_path(env)
    return candidate if candidate.exists() else None


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read, parse and validate the config file at `path`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except OSError as exc:
        raise ConfigError(path, "", f"cannot read the file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(path, "", "the file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML: {exc}") from None
    config = parse_config(data, path=path, env=env)
    warnings = list(config.warnings)
    if _holds_literal_secret(data) and _readable_by_others(path):
        warnings.append(
            f"{path} holds a literal secret and is readable by group or others: "
            f"run `chmod 600 {path}` or use token_env / password_env / *_cmd"
        )
    return Config(config.ui, config.backends, path, tuple(warnings))


def parse_config(
    data: Mapping[str, Any], path: Path | None = None, env: Mapping[str, str] | None = None
) -> Config:
    env = os.environ if env is None else env
    known = {"ui", "backends"}
    for key in data:
        if key not in known:
            raise ConfigError(path, f"[{key}]", "unknown table; expected [ui] or [[backends]]")
    ui = _parse_ui(_table(data, "ui", path), path)
    raw_backends = data.get("backends", [])
    if not isinstance(raw_backends, list) or not all(isinstance(b, dict) for b in raw_backends):
        raise ConfigError(path, "backends", "expected [[backends]] tables")
    if not raw_backends:
        raise ConfigError(path, "[[backends]]", "no backend configured; add at least one")
    backends: list[BackendSettings] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_backends):
        backend = _parse_backend(raw, index, path, env)
        if backend.name in seen:
            where = f"[[backends]] #{index + 1} name"
            raise ConfigError(path, where, f"duplicate backend name {backend.name!r}")
        seen.add(backend.name)
        backends.append(backend)
    return Config(ui, tuple(backends), path)


def _table(data: Mapping[str, Any], key: str, path: Path | None) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"[{key}]", "expected a table")
    return value


class _Reader:
    """Typed access to one TOML table, with error messages that say where."""

    def __init__(self, table: Mapping[str, Any], where: str, path: Path | None) -> None:
        self.table = table
        self.where = where
        self.path = path

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.path, f"{self.where} {key}".strip(), message)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any, what: str) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        # TOML booleans are ints in Python; never accept one for a number.
        if isinstance(value, bool) and bool not in _as_tuple(kind):
            raise self.fail(key, f"expected {what}, got {value!r}")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {what}, got {value!r}")
        return value

    def positive(self, key: str, default: float) -> float:
        value = self.get(key, (int, float), default, "a positive number")
        if value <= 0:
            raise self.fail(key, f"expected a positive number, got {value!r}")
        return float(value)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


UI_KEYS = {"theme", "read_only", "bell_on_critical", "rotate_seconds", "watch_cpes"}


def _parse_ui(table: Mapping[str, Any], path: Path | None) -> UiSettings:
    reader = _Reader(table, "[ui]", path)
    for key in table:
        if key not in UI_KEYS:
            raise reader.fail(key, f"unknown key; expected one of {', '.join(sorted(UI_KEYS))}")
    watch = reader.get("watch_cpes", list, [], "a list of CPE names")
    if not all(isinstance(item, str) for item in watch):
        raise reader.fail("watch_cpes", "expected a list of CPE names (strings)")
    return UiSettings(
        theme=reader.get("theme", str, "noc-dark", "a theme name"),
        read_only=reader.get("read_only", bool, False, "true or false"),
        bell_on_critical=reader.get("bell_on_critical", bool, True, "true or false"),
        rotate_seconds=reader.positive("rotate_seconds", 20.0),
        watch_cpes=tuple(watch),
    )


BACKEND_KEYS = {
    "name",
    "kind",
    "url",
    "token",
    "token_env",
    "token_cmd",
    "username",
    "password",
    "password_env",
    "password_cmd",
    "password_md5",
    "privacy_password",
    "privacy_password_env",
    "privacy_password_cmd",
    "privacy_password_md5",
    "poll_seconds",
    "timeout_seconds",
    "verify_tls",
    "ca_file",
    "tls_fingerprint",
    "max_concurrency",
    "max_response_mb",
    "realm",
    "login_path",
    "page_size",
    "rate_limit_per_second",
    "action_method",
    "api_version",
    "timezone",
}


def _parse_backend(
    raw: Mapping[str, Any], index: int, path: Path | None, env: Mapping[str, str]
) -> BackendSettings:
    label = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index + 1}"
    reader = _Reader(raw, f"[[backends]] {label}", path)
    for key in raw:
        if key not in BACKEND_KEYS:
            raise reader.fail(key, "unknown key")
    name = reader.get("name", str, None, "a name (string)")
    if not name:
        raise reader.fail("name", "missing; every backend needs a unique name")
    kind = reader.get("kind", str, None, "a kind (string)")
    if kind not in KINDS:
        raise reader.fail("kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    url = reader.get("url", str, None, "a URL (string)")
    if not url:
        raise reader.fail("url", "missing; expected the backend's base URL")
    if not url.startswith(("http://", "https://")):
        raise reader.fail("url", f"expected an http:// or https:// URL, got {url!r}")
    ca_file = reader.get("ca_file", str, None, "a file path")
    if ca_file and not Path(ca_file).expanduser().is_file():
        raise reader.fail("ca_file", f"no such file: {ca_file}")
    token = _secret(reader, "token", env)
    if token is not None and not header_safe(token.reveal()):
        where = next(k for k in ("token", "token_env", "token_cmd") if k in raw)
        raise reader.fail(
            where,
            "the token holds a character an HTTP header cannot carry "
            "(only ASCII letters, digits and punctuation; no accents, spaces or line breaks)",
        )
    username = reader.get("username", str, None, "a user name")
    password = _secret(reader, "password", env, md5_key="password_md5")
    password_md5 = _secret_value(reader, "password_md5")
    if token and (password or password_md5):
        raise reader.fail("token", "give either a token or a username + password, not both")
    if (password or password_md5) and not username:
        raise reader.fail("username", "missing; a password needs a username")
    if kind == "kalliope" and not (password or password_md5):
        raise reader.fail("password", "missing; kalliope needs username + password(_env/_cmd)")
    if kind != "kalliope" and not (token or password):
        raise reader.fail("token", "missing; give token, token_env or token_cmd")
    if kind == "kalliope" and password and not password_md5:
        password_md5 = Secret(
            hashlib.md5(password.reveal().encode(), usedforsecurity=False).hexdigest()
        )
    privacy = _secret(reader, "privacy_password", env, md5_key="privacy_password_md5")
    privacy_md5 = _secret_value(reader, "privacy_password_md5")
    if privacy and not privacy_md5:
        privacy_md5 = Secret(
            hashlib.md5(privacy.reveal().encode(), usedforsecurity=False).hexdigest()
        )
    return BackendSettings(
        name=name,
        kind=kind,
        url=url,
        token=token,
        username=username,
        password=password,
        password_md5=password_md5,
        privacy_password_md5=privacy_md5,
        poll_seconds=reader.positive("poll_seconds", 10.0),
        timeout_seconds=reader.positive("timeout_seconds", 8.0),
        verify_tls=reader.get("verify_tls", bool, True, "true or false"),
        ca_file=ca_file,
        tls_fingerprint=_fingerprint(reader),
        max_concurrency=int(reader.positive("max_concurrency", 4)),
        max_response_mb=reader.positive("max_response_mb", DEFAULT_MAX_RESPONSE_MB),
        realm=reader.get("realm", str, None, "a realm name"),
        login_path=reader.get("login_path", str, "/api/v2/auth/login", "a path"),
        page_size=_page_size(reader),
        action_method=_action_method(reader),
        rate_limit_per_second=_rate(reader),
        api_version=_api_version(reader),
        timezone=_timezone(reader),
    )


def header_safe(value: str) -> bool:
    """Whether `value` can travel in an HTTP header as it is: visible ASCII, no spaces."""
    return bool(value) and all("!" <= ch <= "~" for ch in value)


def normalise_fingerprint(text: str) -> str | None:
    """'AB:CD:…', 'abcd…', 'sha256/AB CD …' → 64 lower-case hex digits; None if not SHA-256."""
    cleaned = text.strip().lower()
    for prefix in ("sha256//", "sha256/", "sha256:", "sha-256:", "sha256 ", "sha-256 "):
        cleaned = cleaned.removeprefix(prefix)
    cleaned = re.sub(r"[\s:\-]", "", cleaned)
    return cleaned if re.fullmatch(r"[0-9a-f]{64}", cleaned) else None


def _fingerprint(reader: _Reader) -> str | None:
    """`tls_fingerprint`: SHA-256 of the server's certificate (as `openssl x509 -fingerprint
    -sha256` prints it); it pins that certificate, see api/tls.py."""
    raw = reader.get("tls_fingerprint", str, None, "a SHA-256 fingerprint")
    if raw is None:
        return None
    normal = normalise_fingerprint(raw)
    if normal is None:
        raise reader.fail(
            "tls_fingerprint",
            "expected a SHA-256 fingerprint: 64 hex digits, colons allowed "
            "(openssl x509 -noout -fingerprint -sha256 -in cert.pem)",
        )
    return normal


def _timezone(reader: _Reader) -> str | None:
    """`timezone`: the server's zone for timestamps sent without one (LibreNMS); must exist."""
    zone: str | None = reader.get("timezone", str, None, 'a time zone name such as "Europe/Madrid"')
    if zone is None:
        return None
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise reader.fail("timezone", f'unknown time zone {zone!r}; e.g. "Europe/Madrid"') from None
    return zone


def _page_size(reader: _Reader) -> int | None:
    size = reader.get("page_size", int, None, "a whole number of rows")
    if size is not None and size < 1:
        raise reader.fail("page_size", f"expected a whole number of rows, 1 or more, got {size}")
    return int(size) if size is not None else None


def _action_method(reader: _Reader) -> str:
    method = str(reader.get("action_method", str, "POST", '"POST" or "PUT"')).upper()
    if method not in ("POST", "PUT"):
        raise reader.fail("action_method", f'expected "POST" or "PUT", got {method!r}')
    return method


def _rate(reader: _Reader) -> float | None:
    if "rate_limit_per_second" not in reader.table:
        return None
    return reader.positive("rate_limit_per_second", 1.0)


def _api_version(reader: _Reader) -> int:
    """`api_version`: 3, or "3" / "v3"; another number is kept and refused per request."""
    raw = reader.get("api_version", (int, str), 3, "a version number such as 3")
    try:
        return int(str(raw).strip().lower().lstrip("v"))
    except ValueError:
        raise reader.fail("api_version", f"{raw!r} is not a version number (expected 3)") from None


def _secret(
    reader: _Reader, key: str, env: Mapping[str, str], md5_key: str | None = None
) -> Secret | None:
    """Resolve exactly one of `key`, `key_env`, `key_cmd` (or `md5_key`) into a Secret."""
    given = [k for k in (key, f"{key}_env", f"{key}_cmd", md5_key) if k and k in reader.table]
    if len(given) > 1:
        raise reader.fail(given[1], f"give only one of {', '.join(given)}")
    if key in reader.table:
        value = reader.get(key, str, None, "a string")
        return Secret(value) if value else None
    if f"{key}_env" in reader.table:
        var = reader.get(f"{key}_env", str, None, "an environment variable name")
        value = env.get(var)
        if not value:
            raise reader.fail(f"{key}_env", f"environment variable {var} is not set")
        return Secret(value)
    if f"{key}_cmd" in reader.table:
        return Secret(_run_secret_cmd(reader, f"{key}_cmd"))
    return None


def _secret_value(reader: _Reader, key: str) -> Secret | None:
    value = reader.get(key, str, None, "a string")
    return Secret(value) if value else None


def _run_secret_cmd(reader: _Reader, key: str) -> str:
    argv = reader.get(key, list, None, "a command as a list of strings")
    if not argv or not all(isinstance(part, str) for part in argv):
        raise reader.fail(key, 'expected a command as a list of strings, e.g. ["pass", "krill"]')
    if any("\0" in part for part in argv):
        raise reader.fail(key, "the command holds a NUL character")
    try:
        done = subprocess.run(  # noqa: S603 - argument list, no shell, by design
            argv, capture_output=True, timeout=SECRET_CMD_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise reader.fail(key, f"command not found: {argv[0]}") from None
    except PermissionError:
        raise reader.fail(
            key, f"command {argv[0]} is not executable (chmod +x, or name the program)"
        ) from None
    except subprocess.TimeoutExpired:
        raise reader.fail(key, f"command {argv[0]} took over {SECRET_CMD_TIMEOUT:.0f} s") from None
    except OSError as exc:  # not a program (ENOEXEC), too long an argument list, ...
        reason = exc.strerror or type(exc).__name__
        raise reader.fail(key, f"command {argv[0]} cannot be run ({reason})") from None
    if done.returncode != 0:
        raise reader.fail(key, f"command {argv[0]} failed with exit status {done.returncode}")
    try:
        value = done.stdout.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise reader.fail(key, f"command {argv[0]} printed something that is not UTF-8") from None
    if not value:
        raise reader.fail(key, f"command {argv[0]} printed nothing")
    return value


def _holds_literal_secret(data: Mapping[str, Any]) -> bool:
    literal = ("token", "password", "password_md5", "privacy_password", "privacy_password_md5")
    backends = data.get("backends", [])
    return isinstance(backends, list) and any(
        isinstance(b, dict) and any(key in b for key in literal) for b in backends
    )


def _readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
