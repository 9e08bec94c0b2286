"""module_imports.scan: every way a module is imported, and the names taken from it."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from collect_fix.module_imports import ProjectImports, scan
from collect_fix.project import Project


def make_project(root: Path, files: dict[str, str]) -> Project:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return Project(root)


def scanned(tmp_path: Path, files: dict[str, str]) -> ProjectImports:
    return scan(make_project(tmp_path, {"app/__init__.py": "", **files}))


def test_from_import_takes_each_name(tmp_path: Path) -> None:
    imports = scanned(tmp_path, {"tests/test_a.py": "from app.mail import send, Outbox as Box\n"})
    found = imports.get("app.mail")
    assert found.names == {"send", "Outbox"}
    assert found.importers == {"tests/test_a.py"}


def test_star_import_takes_no_name(tmp_path: Path) -> None:
    imports = scanned(tmp_path, {"tests/test_a.py": "from app.mail import *\n"})
    assert imports.get("app.mail").names == frozenset()
    assert imports.get("app.mail").importers == {"tests/test_a.py"}


def test_plain_import_takes_attributes_of_the_dotted_name(tmp_path: Path) -> None:
    source = """
        import app.mail.smtp

        SERVER = app.mail.smtp.Server()

        def test_send():
            app.mail.smtp.send("x")
    """
    imports = scanned(tmp_path, {"tests/test_a.py": source})
    assert imports.get("app.mail.smtp").names == {"Server", "send"}


def test_getattr_with_a_literal_name_takes_it_as_the_attribute_does(tmp_path: Path) -> None:
    source = """
        import app.mail as mail
        from app import smtp

        def test_send(name):
            assert getattr(mail, "send")(getattr(smtp, "__all__", []), getattr(mail, name))
    """
    imports = scanned(tmp_path, {"tests/test_a.py": source})
    assert imports.get("app.mail").names == {"send"}
    assert imports.possible.get("app.smtp").names == {"__all__"}


def test_aliased_import_takes_attributes_of_the_alias(tmp_path: Path) -> None:
    source = """
        import app.mail as mail

        def test_send():
            assert mail.send(mail.DEFAULT_SENDER)
    """
    imports = scanned(tmp_path, {"tests/test_a.py": source})
    assert imports.get("app.mail").names == {"send", "DEFAULT_SENDER"}


def test_from_package_import_module_takes_attributes_of_the_binding(tmp_path: Path) -> None:
    source = """
        from app import receipts

        def test_render():
            assert receipts.render([])
    """
    imports = scanned(tmp_path, {"tests/test_a.py": source})
    found = imports.get("app.receipts")
    assert found.names == {"render"}
    assert found.importers == {"tests/test_a.py"}
    assert found.as_module == {"tests/test_a.py"}
    assert found.not_as_module == frozenset()
    assert imports.get("app").names == {"receipts"}


def test_called_or_subclassed_binding_is_not_used_as_a_module(tmp_path: Path) -> None:
    files = {
        "tests/test_a.py": "from app import render\n\nrender.cache_clear()\nrender()\n",
        "tests/test_b.py": "from app import Base\n\nclass Child(Base):\n    pass\n",
        "tests/test_c.py": "from app import timed\n\n@timed\ndef test_x():\n    pass\n",
    }
    imports = scanned(tmp_path, files)
    assert imports.get("app.render").not_as_module == {"tests/test_a.py"}
    assert imports.get("app.Base").not_as_module == {"tests/test_b.py"}
    assert imports.get("app.timed").not_as_module == {"tests/test_c.py"}


@pytest.mark.parametrize(
    "importer,source,module,names",
    [
        pytest.param("app/orders.py", "from .mail import send\n", "app.mail", {"send"}, id="sibling module"),
        pytest.param("app/__init__.py", "from .mail import send\n", "app.mail", {"send"}, id="from package init"),
        pytest.param("app/shop/cart.py", "from ..mail import send\n", "app.mail", {"send"}, id="parent package"),
        pytest.param("app/orders.py", "from . import mail\nmail.send()\n", "app.mail", {"send"}, id="module from own package"),
    ],
)
def test_relative_imports_resolve_inside_the_project(
    tmp_path: Path, importer: str, source: str, module: str, names: set[str]
) -> None:
    imports = scanned(tmp_path, {"app/shop/__init__.py": "", importer: source})
    assert imports.get(module).names == names
    assert importer in imports.get(module).importers


def test_relative_import_beyond_the_top_level_package_is_ignored(tmp_path: Path) -> None:
    imports = scanned(tmp_path, {"app/orders.py": "from ..mail import send\n"})
    assert imports.get("mail").importers == frozenset()
    assert imports.get("app.mail").importers == frozenset()


def test_src_layout_module_names_come_from_the_source_root(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {"src/app/__init__.py": "", "src/app/cart.py": "from .pricing.discounts import apply\n"},
    )
    assert scan(project).get("app.pricing.discounts").importers == {"src/app/cart.py"}


def test_assigning_an_attribute_does_not_take_it(tmp_path: Path) -> None:
    source = "import app.mail\n\napp.mail.ENABLED = False\nprint(app.mail.send)\n"
    imports = scanned(tmp_path, {"tests/test_a.py": source})
    assert imports.get("app.mail").names == {"send"}


def test_every_importing_file_is_found(tmp_path: Path) -> None:
    files = {
        "tests/test_a.py": "from app.mail import send\n",
        "tests/test_b.py": "import app.mail\napp.mail.Outbox\n",
        "tests/conftest.py": "def fixture():\n    from app.mail import Outbox\n    return Outbox()\n",
        "app/orders.py": "from app import mail\nmail.notify\n",
    }
    found = scanned(tmp_path, files).get("app.mail")
    assert found.importers == {"tests/test_a.py", "tests/test_b.py", "tests/conftest.py", "app/orders.py"}
    assert found.names == {"send", "Outbox", "notify"}


def test_unparsable_files_are_skipped(tmp_path: Path) -> None:
    files = {"tests/test_a.py": "from app.mail import send\n", "tests/test_broken.py": "from app.mail import (\n"}
    assert scanned(tmp_path, files).get("app.mail").importers == {"tests/test_a.py"}


def test_under_lists_modules_imported_as_modules_only(tmp_path: Path) -> None:
    files = {
        "tests/test_a.py": "import app.pay.gateways.stripe\nfrom app.pay import refunds\nfrom app.pay.cards import Visa\n",
    }
    imports = scanned(tmp_path, files)
    assert imports.under("app.pay") == ("app.pay", "app.pay.cards", "app.pay.gateways.stripe")
    assert imports.under("app.pay.gateways.stripe") == ("app.pay.gateways.stripe",)
    assert imports.under("app.payments") == ()


def test_generated_code_nested_thousands_deep_is_read(tmp_path: Path) -> None:
    """A long sum or attribute chain (generated test data) parses fine, but recursing over it
    exhausted the stack, and the planner that asked gave up on the whole run's repair."""
    terms = " + ".join(["os.sep"] * 600)
    chain = "os.path" + ".a" * 1_500
    imports = scanned(tmp_path, {"tests/test_a.py": f"import os\nTABLE = {terms}\nDEEP = {chain}\n"})

    assert imports.get("os").names == {"sep", "path"}


def test_what_every_module_has_is_no_name_taken_from_it(tmp_path: Path) -> None:
    """A fifteenth review: ``Path(templates.__file__).parent`` made ``__file__`` a name the moved
    module had to provide, and the recreated module bound a stub over its own ``__file__``."""
    source = """
        from app import templates

        HERE = templates.__file__
        DOC = templates.__doc__ or templates.__dict__
        VERSION = templates.__version__
        RENDER = templates.render
    """
    imports = scanned(tmp_path, {"tests/test_a.py": source})
    assert imports.get("app.templates").names == {"__version__", "render"}


def test_what_every_module_has_still_says_the_binding_is_a_module(tmp_path: Path) -> None:
    """Review hAI 10: ``Path(render.__file__).parent / "templates"`` alone is a use of ``render``
    as a module (moved whole, it comes back as the module it became), with no name to provide."""
    imports = scanned(tmp_path, {"tests/test_a.py": "from app import render\n\nHERE = render.__file__\n",
                                 "tests/test_b.py": "from app import Circle, slugify\n\n"
                                                    "IDS = [Circle.__name__, slugify.__doc__, slugify.__dict__]\n"})

    assert imports.get("app.render").names == set()
    assert imports.get("app.render").as_module == {"tests/test_a.py"}
    # Review hAK 01: what a class or a function has too says nothing (``Circle`` became a module).
    assert imports.get("app.Circle").as_module == imports.get("app.slugify").as_module == frozenset()
