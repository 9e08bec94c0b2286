"""matching_characters counts what difflib.SequenceMatcher counts, on any pair of texts."""

from __future__ import annotations

import ast
import difflib
import random
import textwrap

import pytest

from collect_fix import matching_characters


def difflib_count(a: str, b: str) -> int:
    return sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def edited(rng: random.Random, text: str, alphabet: str, edits: int) -> str:
    """``text`` with ``edits`` characters deleted or inserted at random places."""
    characters = list(text)
    for _ in range(edits):
        if characters and rng.random() < 0.5:
            del characters[rng.randrange(len(characters))]
        else:
            characters.insert(rng.randint(0, len(characters)), rng.choice(alphabet))
    return "".join(characters)


@pytest.mark.parametrize("alphabet", ["ab", "abcd", "abcdefghij (),=\n"])
@pytest.mark.parametrize("small", [0, matching_characters._SMALL], ids=["automaton-only", "as-shipped"])
def test_the_count_is_sequencematchers_on_random_texts(
    alphabet: str, small: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two letters give many blocks of equal length: the ties SequenceMatcher breaks by position.
    monkeypatch.setattr(matching_characters, "_SMALL", small)
    if not small:  # every range through the automaton, whatever the texts
        monkeypatch.setattr(matching_characters, "_PAIRS_PER_CHARACTER", 0)
    rng = random.Random(alphabet)
    for _ in range(150):
        first = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        second = (
            edited(rng, first, alphabet, rng.randint(0, 15))
            if rng.random() < 0.5
            else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        )
        assert matching_characters.matched(first, second) == difflib_count(first, second), (first, second)


def test_the_ratio_of_two_long_bodies_is_sequencematchers() -> None:
    # What rename pairing compares: ast dumps of a long class and of the same class with its
    # self-references renamed (more-itertools' peekable -> Peekable took 1.5 s in SequenceMatcher).
    methods = "\n".join(
        f"    def method_{n}(self, value):\n        '''>>> p = peekable([{n}])'''\n        return peekable(value + {n})\n"
        for n in range(16)
    )
    old = ast.dump(ast.parse(textwrap.dedent(f"class peekable:\n{methods}")))
    new = ast.dump(ast.parse(textwrap.dedent(f"class Peekable:\n{methods}".replace("peekable(", "Peekable("))))
    assert len(old) > 5_000
    expected = difflib.SequenceMatcher(None, old, new, autojunk=False).ratio()
    assert 0.9 < expected < 1.0
    assert matching_characters.ratio(old, new) == expected


@pytest.mark.parametrize(("first", "second", "expected"), [("", "", 1.0), ("", "ab", 0.0), ("ab", "ab", 1.0), ("abcd", "bcda", 0.75)])
def test_edge_cases_agree(first: str, second: str, expected: float) -> None:
    assert matching_characters.ratio(first, second) == expected
    assert difflib.SequenceMatcher(None, first, second, autojunk=False).ratio() == expected


def test_texts_of_many_distinct_characters_are_counted_by_sequencematcher_itself() -> None:
    """Few pairs of equal characters: SequenceMatcher's search is the cheap one (the automaton
    would be rebuilt for each of many one-character blocks); the count is the same either way."""
    first = "".join(chr(0x4E00 + n) for n in range(400))
    second = "".join(chr(0x4E00 + n) + chr(0xAC00 + n) for n in range(400))
    assert matching_characters._pairs(first, second) < matching_characters._PAIRS_PER_CHARACTER * 1200
    assert matching_characters.matched(first, second) == difflib_count(first, second) == 400
