"""How alike two names are as the two ends of a rename, by the refactors people usually make.

Tiers, strongest first: the same words in another case style or privacy (``load_config`` /
``_load_config`` / ``LoadConfig``); the same words but for one ``Base``/``Abstract`` prefix or
``Impl``/``Base`` suffix (``Middleware`` / ``BaseMiddleware``, ``parse`` / ``parse_impl``); one name
contains the other; a close spelling. Every rule works both ways, so old and new may be swapped.
"""

from __future__ import annotations

import difflib
import re
from typing import Optional

_MIN_RATIO = 0.8
# Words a refactor adds or drops around a name without changing what it names.
_PREFIXES = ("base", "abstract")
_SUFFIXES = ("impl", "base")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+")

SAME_WORDS, AFFIX, CONTAINS, CLOSE = 4, 3, 2, 1
_WHY = {
    SAME_WORDS: "the same name in another case style or privacy",
    AFFIX: "the same name but for a Base/Abstract prefix or an Impl/Base suffix",
    CONTAINS: "one name contains the other",
    CLOSE: "a close spelling",
}


def similarity(old: str, new: str) -> Optional[tuple[int, float]]:
    """(tier, ratio) when ``new`` is spelled like a rename of ``old``, else None; higher is closer."""
    a, b = _normal(old), _normal(new)
    ratio = round(difflib.SequenceMatcher(None, a, b).ratio(), 6)
    if a == b:
        return SAME_WORDS, ratio
    old_words, new_words = words(old), words(new)
    if _without_affix(old_words, new_words) or _without_affix(new_words, old_words):
        return AFFIX, ratio
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and short in long and 2 * len(short) >= len(long):
        return CONTAINS, ratio
    if ratio >= _MIN_RATIO:
        return CLOSE, ratio
    return None


def why_similar(old: str, new: str) -> str:
    """The rule that relates the two names, for evidence text."""
    tier = (similarity(old, new) or (0, 0.0))[0]
    return _WHY.get(tier, "no similar spelling")


def words(name: str) -> tuple[str, ...]:
    """Lower-case words of a name in any case style; leading underscores (privacy) dropped."""
    return tuple(word.lower() for part in name.split("_") if part for word in _WORD.findall(part))


def _without_affix(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    if len(longer) != len(shorter) + 1 or not shorter:
        return False
    return (longer[0] in _PREFIXES and longer[1:] == shorter) or (longer[-1] in _SUFFIXES and longer[:-1] == shorter)


def _normal(name: str) -> str:
    return name.replace("_", "").lower()
