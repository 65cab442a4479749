"""The vendor administrator imports customers in a real browser: a bad file, the dry run, the import; axe-clean."""

import pytest

from tessera.organizations.models import Organization
from tests.factories import AgentFactory
from tests.imports.helpers import csv_bytes

from .axe import blocking_violations
from .conftest import SCREENSHOTS, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_vendor_admin_checks_then_imports_a_customer_file(page, tmp_path):
    AgentFactory(email="root@vendor.test", is_superuser=True)
    log_in(page, "root@vendor.test", "/desk/organizations/")
    page.get_by_role("link", name="Import customers").click()
    page.wait_for_url("**/desk/imports/organizations/")
    assert blocking_violations(page) == []

    wrong = tmp_path / "customers-latin1.csv"
    wrong.write_bytes(csv_bytes(encoding="cp1252"))
    page.get_by_label("CSV or Excel file").set_input_files(str(wrong))
    page.get_by_label("Send the new contacts the invitation e-mail").check()
    page.get_by_role("button", name="Check the file").click()
    summary = page.get_by_test_id("error-summary")
    assert "The file is not in UTF-8 (line 4)." in summary.inner_text()
    assert page.get_by_label("Send the new contacts the invitation e-mail").is_checked()  # nothing typed is lost
    assert blocking_violations(page) == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "imports-bad-file.png"), full_page=True)

    good = tmp_path / "customers.csv"
    good.write_bytes(csv_bytes())
    page.get_by_label("CSV or Excel file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/desk/imports/*/")
    assert "This is a dry run: nothing has been written yet." in page.content()
    assert "New organization Praxis Bianchi." in page.get_by_test_id("row-2").inner_text()
    assert not Organization.objects.exists()
    assert blocking_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "imports-dry-run.png"), full_page=True)

    page.get_by_role("button", name="Import now").click()
    page.wait_for_selector("text=Imported: 4 new")
    assert page.get_by_test_id("run-state").inner_text() == "Imported"
    assert sorted(Organization.objects.values_list("customer_code", flat=True)) == ["5001", "5002", "5003"]
    assert page.get_by_role("button", name="Import now").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "imports-done.png"), full_page=True)
