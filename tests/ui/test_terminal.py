"""A hung-up terminal is noticed (the console then exits instead of spinning)."""

from __future__ import annotations

import os
import pty

from noc_tui.ui.terminal import terminal_gone


def test_a_terminal_whose_other_end_closed_is_gone() -> None:
    master, slave = pty.openpty()
    try:
        assert not terminal_gone(slave)
        os.close(master)
        master = -1
        # The pty's slave side now answers ioctls with EIO, as a hung-up SSH terminal does.
        assert terminal_gone(slave)
    finally:
        os.close(slave)
        if master >= 0:
            os.close(master)
