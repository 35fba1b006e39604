"""Plain dataclasses and pure functions; the standard library only."""
