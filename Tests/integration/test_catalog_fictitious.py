"""A platform is one folder and one registration line (#12): siem-api started with
SIEM_TEST_FICTITIOUS_PLATFORM=1 registers Sources/Catalog/Fictitious, serves it in
GET /v1/platforms, validates its credentials, and the admin page builds its form from
the catalog alone (the page's scripts have never heard of it)."""
import pytest
from selenium.webdriver.support.ui import Select

from test_admin_page import AdminPage, cleanup, driver, page  # noqa: F401 (fixtures)


@pytest.fixture(scope="module", autouse=True)
def fictitious_api(stack):
    stack.restart_api(SIEM_TEST_FICTITIOUS_PLATFORM="1")
    yield
    stack.restart_api()


def test_the_catalog_serves_the_registered_platform_and_the_api_checks_its_credentials(stack, admin):
    r = admin.get(f"{stack.url}/v1/platforms")
    assert r.status_code == 200, r.text
    fictitious = next(p for p in r.json()["platforms"] if p["name"] == "Fictitious")
    assert [s["key"] for s in fictitious["streams"]] == ["fictitious_audit"]
    assert [f["name"] for f in fictitious["credentials"]["fields"]] == ["account_id", "api_key"]
    # The settings every platform has apply to it without a line of its own; its own setting is
    # declared in its folder and offered to it alone.
    assert {"initial_lookback_minutes", "overlap_minutes", "streams", "fictitious_region"} <= {s["name"] for s in fictitious["settings"]}
    region = next(s for s in fictitious["settings"] if s["name"] == "fictitious_region")
    assert region["group"] == "platform" and fictitious["defaults"]["fictitious_region"] == "eu-1"
    assert [o["value"] for o in region["options"]] == ["eu-1", "us-1"]
    others = [p for p in r.json()["platforms"] if p["name"] != "Fictitious"]
    assert all("fictitious_region" not in {s["name"] for s in p["settings"]} for p in others)

    r = admin.post(f"{stack.url}/v1/cloud_api_sources", json={
        "platform": "Fictitious", "source_name": "made-up",
        "api_credentials_json": {"account_id": "12", "api_key": "short", "extra": "x"},
        "settings": {"streams": ["cloudtrail"]}})
    assert r.status_code == 400, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"api_credentials_json.account_id", "api_credentials_json.api_key",
                      "api_credentials_json.extra", "settings.streams"}


def test_the_admin_page_renders_the_form_of_a_platform_it_only_knows_from_the_catalog(page, stack, tenant):
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    page.new_source()
    Select(page.el("#f-platform")).select_by_value("Fictitious")
    assert Select(page.el("#f-platform")).first_selected_option.text == "Fictitious Cloud (test only)"
    assert page.shown("#f-cred-account_id") and page.shown("#f-cred-api_key")
    assert page.el("#f-cred-api_key").get_attribute("type") == "password"
    assert [b.get_attribute("value") for b in page.els('input[name="streams"]')] == ["fictitious_audit"]
    assert page.shown("#f-settings-initial_lookback_minutes")
    assert page.shown("#f-settings-fictitious_region")
    # A bad credential comes back from the API next to its field.
    page.fill_source("Fictitious", "made-up", {"account_id": "12", "api_key": "0123456789abcdef"})
    page.save()
    assert "6 to 12 digits" in page.field_error("f-cred-account_id")
