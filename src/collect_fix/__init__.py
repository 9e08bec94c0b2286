"""collect-fix: repair test suites that pytest cannot collect."""

__version__ = "0.1.0"
