"""A part of a screen fed by its own backends (the devices screen has one per source)."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical

from noc_tui.ui.poll import PollJob
from noc_tui.ui.services import Services, services_of


class DevicePane(Vertical):
    """Subclasses give SOURCE, TAB_TITLE and their poll jobs."""

    SOURCE = ""
    TAB_TITLE = ""

    @property
    def noc(self) -> Services:
        return services_of(self.app)

    def poll_jobs(self) -> list[PollJob[Any]]:
        """Called by the screen at mount: the jobs whose results this pane shows (each job
        names the pane's method that shows them)."""
        return []

    def reload(self) -> None:
        """`r`: a pane whose list is not read every poll reads it again now."""
