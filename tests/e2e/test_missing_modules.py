"""End to end: missing project modules become stub modules; a missing dependency is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from conftest import collected_ids, failing_files, run_collect_fix, run_in_process, snapshot

# Every test of every file that failed only because a project module was missing.
REPAIRED_IDS = {
    "tests/test_analytics.py::test_lookup_is_tracked",
    "tests/test_cart.py::test_subtotal",
    "tests/test_cart.py::test_empty_cart_has_no_lines",
    "tests/test_cart.py::test_notification_error_is_an_exception",
    "tests/test_checkout.py::test_charge_uses_gateway",
    "tests/test_checkout.py::test_gateway_starts_without_charges",
    "tests/test_orders.py::test_money_adds",
    "tests/test_orders.py::test_confirmation_goes_to_outbox",
    "tests/test_receipts.py::test_receipt_mentions_total",
    "tests/test_receipts.py::test_receipt_footer",
    "tests/test_search.py::test_finds_by_name",
    "tests/test_search.py::test_empty_query",
    "tests/test_users.py::test_notify_user",
    "tests/test_users.py::test_sender_is_configured",
}
CREATED = {
    "src/shop/analytics.py",
    "src/shop/integrations/__init__.py",
    "src/shop/integrations/payments/__init__.py",
    "src/shop/integrations/payments/gateways/__init__.py",
    "src/shop/integrations/payments/gateways/stripe.py",
    "src/shop/notifications.py",
    "src/shop/payments/receipts.py",
    "src/shop/pricing/discounts.py",
    "src/shop/search.py",
}




def test_apply_creates_every_missing_module_and_leaves_the_dependency(
    fixture_project: Callable[[str], Path],
) -> None:
    root = fixture_project("missing_modules")
    ids_before = set(collected_ids(root))
    files_before = snapshot(root)
    assert "tests/test_vendor.py" in failing_files(root)
    assert not ids_before & REPAIRED_IDS

    result = run_collect_fix(root, "--apply")
    assert result.returncode == 1, result.stderr  # the missing dependency is still there

    assert failing_files(root) == ["tests/test_vendor.py"]
    ids_after = set(collected_ids(root))
    assert REPAIRED_IDS <= ids_after
    assert ids_before <= ids_after
    files_after = snapshot(root)
    assert set(files_after) - set(files_before) == CREATED
    changed = {path for path in files_before if files_after[path][0] != files_before[path][0]}
    assert changed == set(), "only new modules are written; importers are left as they were"
    notifications = (root / "src/shop/notifications.py").read_text()
    for name in ("DEFAULT_SENDER", "NotificationError", "Outbox", "notify_user", "send_email"):
        assert name in notifications
    assert "collect-fix: stub" in (root / "src/shop/integrations/payments/gateways/stripe.py").read_text()

    second = run_in_process(root, "--apply")
    assert second.returncode == 1, second.stderr
    assert snapshot(root) == files_after


def test_dry_run_shows_the_stub_modules_and_writes_nothing(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_modules")
    before = snapshot(root)

    result = run_in_process(root, "--dry-run")

    assert snapshot(root) == before
    assert "src/shop/integrations/payments/gateways/stripe.py" in result.stdout
    assert "nonexistent_vendor_lib" not in {path.stem for path in root.rglob("*.py")}
