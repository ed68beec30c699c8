"""Seeded simulators with documented true effects, one per design (tests and demo data)."""
