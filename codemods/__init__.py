"""LibCST codemods, one per kind of repair. Shipped as ``collect_fix.codemods``.

Each is a CodemodCommand with a ``KEY`` the planners name, runnable on its own with
``python -m libcst.tool codemod <module>.<Class> PATH``.
"""
