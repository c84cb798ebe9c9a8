"""The admin page renders the declared platforms' forms from GET /v1/platforms alone (#13): no
line of its scripts knows Okta, Google Workspace, Slack or Salesforce."""
import pytest
from selenium.webdriver.support.ui import Select

from test_admin_page import AdminPage, cleanup, driver, page  # noqa: F401 (fixtures)

DECLARED = {
    "Okta": {"fields": ["api_token"], "secret": "api_token", "settings": ["okta_url"], "streams": ["system_log"]},
    "GoogleWorkspace": {"fields": ["client_email", "private_key", "private_key_id", "admin_email"], "secret": None,
                        "settings": ["google_reports_url", "google_token_url"],
                        "streams": ["login_activity", "admin_activity", "drive_activity", "token_activity"]},
    "Slack": {"fields": ["token"], "secret": "token", "settings": ["slack_api_url"], "streams": ["audit_logs"]},
    "Salesforce": {"fields": ["consumer_key", "username", "private_key_pem"], "secret": None,
                   "settings": ["salesforce_instance_url", "salesforce_login_url"],
                   "streams": ["setup_audit_trail", "login_history"]},
}


@pytest.mark.parametrize("platform", list(DECLARED))
def test_the_form_of_a_declared_platform_comes_from_the_catalog(page, stack, tenant, platform):
    want = DECLARED[platform]
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    page.new_source()
    Select(page.el("#f-platform")).select_by_value(platform)
    for name in want["fields"]:
        assert page.shown(f"#f-cred-{name}"), name
    if want["secret"]:
        assert page.el(f"#f-cred-{want['secret']}").get_attribute("type") == "password"
    for name in want["settings"]:
        assert page.shown(f"#f-settings-{name}"), name
    assert [b.get_attribute("value") for b in page.els('input[name="streams"]')] == want["streams"]


def test_oktas_ways_to_sign_in_and_a_refused_token_next_to_its_field(page, stack, tenant):
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    page.new_source()
    Select(page.el("#f-platform")).select_by_value("Okta")
    # An API token by default; the service app's inputs appear only when chosen.
    assert page.el("#f-cred-auth_method-api_token").is_selected()
    assert page.shown("#f-cred-api_token") and not page.shown("#f-cred-client_id")
    page.el("#f-cred-auth_method-private_key").click()
    assert page.shown("#f-cred-client_id") and page.shown("#f-cred-private_key_pem") and not page.shown("#f-cred-api_token")
    page.el("#f-cred-auth_method-api_token").click()
    page.fill_source("Okta", "okta-from-the-page", {"api_token": "short"}, settings={"okta_url": "https://acme.okta.com"})
    page.save()
    assert "20 to 200 characters" in page.field_error("f-cred-api_token")
