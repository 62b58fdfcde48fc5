"""Herinnering: kind, correct rent reminders and payment links for Dutch housing corporations."""

__version__ = "0.1.0"
