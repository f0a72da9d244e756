"""The Textual console: screens, widgets, polling. Makes no HTTP call itself."""
