"""Planners: one module per kind of collection error (see collect_fix.planning)."""
