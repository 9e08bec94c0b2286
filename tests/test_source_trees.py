"""The statement walk that questions about imports take instead of ``ast.walk``."""

from __future__ import annotations

import ast
import sys

from collect_fix.source_trees import statements

NESTED = """\
import a
def f():
    import b
    class C:
        from c import d
        def g(self):
            try:
                import e
            except ImportError:
                import f
            else:
                import g
            finally:
                import h
with x:
    import i
for z in w:
    pass
else:
    import j
while q:
    import k
async def af():
    async with u:
        import l
    async for v in u:
        import m
value = [n for n in range(3)]
call = lambda: __import__("not_a_statement")
"""

MATCH = """\
match y:
    case 1:
        import n
    case _:
        import o
"""


def _every_statement(tree: ast.Module) -> list[ast.stmt]:
    found = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def test_every_statement_at_any_depth_in_source_order() -> None:
    source = NESTED + (MATCH if sys.version_info >= (3, 10) else "")
    tree = ast.parse(source)

    walked = list(statements(tree))

    assert [id(node) for node in walked] == [id(node) for node in _every_statement(tree)]
    imported = [alias.name for node in walked if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names]
    expected = list("abdefghijklm") + (["n", "o"] if sys.version_info >= (3, 10) else [])
    assert imported == expected


def test_expressions_are_not_statements() -> None:
    tree = ast.parse("x = [y for y in z]\nf(lambda: 1)\n")

    assert [type(node).__name__ for node in statements(tree)] == ["Assign", "Expr"]
