import os
import sys

# `python -m collect_fix` puts the current directory first on sys.path. Run from a project's root,
# that project's own json.py or difflib.py would then shadow the standard library inside
# collect-fix. collect-fix is installed; it never needs the current directory to import.
_cwd = os.path.realpath(os.getcwd())
sys.path[:] = [entry for entry in sys.path if entry and os.path.realpath(entry) != _cwd]

from collect_fix.cli import entry  # noqa: E402  (after the sys.path clean-up, on purpose)

entry()
