"""mailbot: registration for a meeting by plain email."""

__version__ = "0.1.0"
