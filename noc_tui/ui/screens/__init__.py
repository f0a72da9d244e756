"""The console's screens, one per operator task."""
