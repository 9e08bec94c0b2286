"""How many characters two texts share, counted exactly as ``difflib.SequenceMatcher`` counts them.

Rename pairing compares two definitions' bodies with ``SequenceMatcher(None, a, b,
autojunk=False).ratio()``. Its search for the longest common block looks at every pair of equal
characters, which is quadratic: two 11,000-character class bodies (a class renamed with its
docstring examples) took 1.5 s each, on the critical path of a run. Here the longest block of a
range is found with a suffix automaton of ``b``'s range, in time linear in the two ranges, and
ranges are split exactly as ``SequenceMatcher.get_matching_blocks`` splits them, so the count,
and the ratio made from it, are the same. Ranges where ``SequenceMatcher``'s own search is cheap
(small ones, or few pairs of equal characters, as in text of many distinct characters) are left
to it: either way the block found is the same.
"""

from __future__ import annotations

import difflib
from collections import Counter

# Ranges whose product of lengths is below this go to SequenceMatcher (its cost is about that
# product over the alphabet; the automaton's is a few microseconds per character).
_SMALL = 40_000
# Texts with fewer pairs of equal characters than this per character go to SequenceMatcher whole:
# text of many distinct characters (CJK), where its search is about linear per block, while the
# automaton is rebuilt over the whole range for each of many short blocks.
_PAIRS_PER_CHARACTER = 8


def ratio(a: str, b: str) -> float:
    """``SequenceMatcher(None, a, b, autojunk=False).ratio()``, without its quadratic search."""
    total = len(a) + len(b)
    return 2.0 * matched(a, b) / total if total else 1.0


def matched(a: str, b: str) -> int:
    """The number of characters in ``SequenceMatcher(None, a, b, autojunk=False)``'s matching
    blocks: the longest common block of the whole ranges, then the same on each side of it."""
    if _pairs(a, b) < _PAIRS_PER_CHARACTER * (len(a) + len(b)):  # SequenceMatcher is the quicker here
        return sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    count = 0
    ranges = [(0, len(a), 0, len(b))]
    while ranges:
        alo, ahi, blo, bhi = ranges.pop()
        i, j, k = _longest(a, alo, ahi, b, blo, bhi)
        if k:
            count += k
            if alo < i and blo < j:
                ranges.append((alo, i, blo, j))
            if i + k < ahi and j + k < bhi:
                ranges.append((i + k, ahi, j + k, bhi))
    return count


def _longest(a: str, alo: int, ahi: int, b: str, blo: int, bhi: int) -> tuple[int, int, int]:
    """``SequenceMatcher.find_longest_match`` without junk: the longest block common to
    ``a[alo:ahi]`` and ``b[blo:bhi]``; of those, the one starting first in ``a``, then in ``b``."""
    if (ahi - alo) * (bhi - blo) < _SMALL:
        found = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False).find_longest_match(
            0, ahi - alo, 0, bhi - blo
        )
        return alo + found.a, blo + found.b, found.size
    edges, links, lengths, first_ends = _automaton(b, blo, bhi)
    state = size = best = 0
    best_i, best_j = alo, blo
    for position in range(alo, ahi):
        character = a[position]
        while state and character not in edges[state]:
            state = links[state]
            size = lengths[state]
        following = edges[state].get(character)
        if following is None:  # at the root: the character is nowhere in b's range
            continue
        state = following
        size += 1
        if size > best:  # the first end of a longer block in a: the earliest start of that length
            best, best_i, best_j = size, position - size + 1, blo + first_ends[state] - size + 1
    return best_i, best_j, best


def _pairs(a: str, b: str) -> int:
    """How many pairs of equal characters the two texts hold: SequenceMatcher's search visits
    each, the automaton each character a few times."""
    counts = Counter(b)
    return sum(counts[character] * times for character, times in Counter(a).items())


def _automaton(text: str, start: int, stop: int) -> tuple[list[dict[str, int]], list[int], list[int], list[int]]:
    """The suffix automaton of ``text[start:stop]``: per state its edges, suffix link, longest
    length, and the first position (relative to ``start``) where its strings end."""
    edges: list[dict[str, int]] = [{}]
    links = [-1]
    lengths = [0]
    first_ends = [-1]
    last = 0
    for position in range(start, stop):
        character = text[position]
        current = len(lengths)
        edges.append({})
        links.append(0)
        lengths.append(lengths[last] + 1)
        first_ends.append(position - start)
        state = last
        while state != -1 and character not in edges[state]:
            edges[state][character] = current
            state = links[state]
        if state != -1:
            target = edges[state][character]
            if lengths[state] + 1 == lengths[target]:
                links[current] = target
            else:
                clone = len(lengths)
                edges.append(dict(edges[target]))
                links.append(links[target])
                lengths.append(lengths[state] + 1)
                first_ends.append(first_ends[target])
                while state != -1 and edges[state].get(character) == target:
                    edges[state][character] = clone
                    state = links[state]
                links[target] = clone
                links[current] = clone
        last = current
    return edges, links, lengths, first_ends
