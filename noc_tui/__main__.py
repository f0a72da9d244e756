"""Allow `python -m noc_tui`."""

from noc_tui.cli import main

raise SystemExit(main())
