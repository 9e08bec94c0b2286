"""Which kind of definition can stand in for a name, given how the project uses it.

Usage inference (``usage.usages``) names the uses: "called", "subclassed", "instance attribute"
... A successor or a stub fits when it serves every use that demands something: subclassing
needs a class, awaiting an async function, calling or decorating something callable. Reading
attributes (of the name, or of what a call returns) fits every kind, so ``cfg = load_config();
cfg.name`` is served by a function as well as by a class.
"""

from __future__ import annotations

from typing import Optional

CALLABLE_KINDS = ("class", "function", "async_function")

# Use -> the definition kinds that serve it; other uses fit every kind. An assignment
# ("constant") may hold anything, but nothing says it is callable or a class.
_SERVES: dict[str, tuple[str, ...]] = {
    "subclassed": ("class",),
    "isinstance": ("class", "constant"),
    "awaited": ("async_function",),
    "called": CALLABLE_KINDS,
    "decorator": ("class", "function"),
    "decorator factory": ("class", "function"),
}
_DECORATOR_STUBS = ("decorator", "decorator_factory")


def fits(kind: str, uses: frozenset[str]) -> bool:
    """Whether a definition of ``kind`` can be used in every way in ``uses``."""
    return all(kind in _SERVES.get(use, (kind,)) for use in uses)


def stub_kind(used_as: str, uses: frozenset[str], history_kind: Optional[str]) -> str:
    """The shape of a stub: what history says the name was, unless a use needs another shape.

    Usage alone calls ``load_config`` a class when the tests read attributes of its result; a
    removed ``def`` says it was a function, which serves that use too. Decorator stubs keep their
    shape: the module applies them when it is imported.
    """
    if history_kind in CALLABLE_KINDS and used_as not in _DECORATOR_STUBS and fits(history_kind, uses):
        return history_kind
    return used_as
