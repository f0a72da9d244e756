"""No screen or widget of ours hides a Textual property under a method of the same name.

`visible()` on three screens once hid `DOMNode.visible`: a child's `.visible` returned a bound
method (always true), so `visibility: hidden` on the screen no longer reached its children.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.widget import Widget

import noc_tui.ui


def our_widget_classes() -> list[type[Widget]]:
    found: dict[str, type[Widget]] = {}
    for module in pkgutil.walk_packages(noc_tui.ui.__path__, "noc_tui.ui."):
        loaded = importlib.import_module(module.name)
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, Widget) and value.__module__.startswith("noc_tui."):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_no_textual_property_is_shadowed() -> None:
    shadowed = []
    for cls in our_widget_classes():
        textual_bases = [b for b in cls.__mro__ if b.__module__.startswith("textual.")]
        for name, value in vars(cls).items():
            for base in textual_bases:
                theirs = vars(base).get(name)
                if isinstance(theirs, property) and not isinstance(value, property):
                    shadowed.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert len(our_widget_classes()) > 20  # the walk found the screens and widgets
    assert not shadowed, f"these hide a Textual property: {shadowed}"
