"""Theme files (TOML) → Textual themes: the shipped ones, then the user's own.

A bad file never stops the console: it is skipped and named in one message.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

import noc_tui
from noc_tui.paths import config_dir

DEFAULT_THEME = "noc-dark"
NO_COLOR_THEME = "mono"
COLOUR_KEYS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
OTHER_KEYS = ("name", "dark", "luminosity_spread", "text_alpha", "variables")
REQUIRED_VARIABLES = ("state-ok", "state-degraded", "state-down", "state-unknown", "stale")


@dataclass
class ThemeSet:
    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def shipped_theme_dir() -> Path:
    """Inside the wheel the themes sit in the package; in a checkout, beside it."""
    package = Path(noc_tui.__file__).parent
    inside = package / "themes"
    return inside if inside.is_dir() else package.parent / "themes"


def user_theme_dir(env: dict[str, str] | None = None) -> Path:
    return config_dir(env) / "themes"


def load_themes(extra_dirs: list[Path] | None = None) -> ThemeSet:
    found = ThemeSet()
    for directory in [shipped_theme_dir(), *(extra_dirs or [user_theme_dir()])]:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = theme_from_file(path)
            except ValueError as problem:
                found.problems.append(f"{path}: {problem}")
                continue
            found.themes[theme.name] = theme
    return found


def theme_from_file(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML: {exc}") from None
    return theme_from_dict(data)


def theme_from_dict(data: dict[str, object]) -> Theme:
    unknown = set(data) - set(COLOUR_KEYS) - set(OTHER_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s): {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("missing name")
    if "primary" not in data:
        raise ValueError("missing primary colour")
    colours = {key: _colour(key, data[key]) for key in COLOUR_KEYS if key in data}
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    for key in REQUIRED_VARIABLES:
        if key not in variables:
            raise ValueError(f"[variables] misses {key}")
    checked = {str(k): _colour(f"variables.{k}", v) for k, v in variables.items()}
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ValueError("dark must be true or false")
    # arg-type: colours holds only COLOUR_KEYS (all str parameters of Theme), but mypy spreads
    # a dict[str, str] over every keyword, the bool and float ones too.
    return Theme(name=name, dark=dark, variables=checked, **colours)  # type: ignore[arg-type]


def _colour(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a colour string, got {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f"{key}: {value!r} is not a colour") from None
    return value
