"""Reusable pieces of the console's screens."""
