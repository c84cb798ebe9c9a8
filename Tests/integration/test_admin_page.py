"""The admin page (htdocs/) in headless Chromium against the real stack: nginx serving the
page and the API on one origin under the production CSP, the fake Microsoft cloud and the
real poller for "poll now". Screenshots of the main views go to var/test-artifacts/.

Tests whose docstring starts with "Needs" use API calls that are being added
(poll_now, test, checkpoints); until those are merged they answer 404 and the tests
fail on purpose: the page is written against the agreed contract.
"""
import base64
import datetime as dt
import json
import re
import time
from pathlib import Path

import jwt
import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

import browser
import sample_sources
from pollerkit import PollerKit, iso
from stack import ROOT

HTDOCS = ROOT / "htdocs"
ARTIFACTS = ROOT / "var" / "test-artifacts"
TOKEN_KEY = "siem.admin.token"


# ------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def driver(stack, tmp_path_factory):
    home = tmp_path_factory.mktemp("chromium-home")
    browser.trust_ca(home, Path(stack.ca))
    d = browser.start_chromium(home)
    yield d
    d.quit()


@pytest.fixture
def cleanup(stack):
    """Sessions whose tenants' sources are deleted after the test (keeps the poller's due list clean)."""
    sessions = []
    yield sessions
    for s in sessions:
        r = s.get(f"{stack.url}/v1/cloud_api_sources", params={"limit": 500})
        for item in r.json().get("items", []) if r.status_code == 200 else []:
            s.delete(f"{stack.url}/v1/cloud_api_sources/{item['source_id']}")


@pytest.fixture
def page(driver, stack, admin, cleanup):
    cleanup.append(admin)
    driver.set_window_size(1280, 900)
    driver.get(f"{stack.url}/")
    driver.execute_script("sessionStorage.clear()")
    driver.get(f"{stack.url}/#/")
    driver.get_log("browser")  # drop what earlier tests left
    p = AdminPage(driver, stack)
    yield p
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    # Whatever the test did, the page must not have broken the CSP or thrown.
    problems = [e["message"] for e in driver.get_log("browser")
                if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]]
    assert not problems, problems


@pytest.fixture
def kit(stack, ms_fake, cert_dir, cleanup):
    k = PollerKit(stack, ms_fake, cert_dir)
    cleanup.append(k.admin)
    return k


class AdminPage:
    def __init__(self, driver, stack):
        self.d = driver
        self.stack = stack

    # -- waiting and reading
    def wait(self, condition, timeout=20, message=""):
        """condition() until truthy; `message` (text, or a callable run only on timeout) explains a failure."""
        def safe(_):
            try:
                return condition()
            except StaleElementReferenceException:
                return False
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(safe)
        except TimeoutException:
            raise AssertionError(message() if callable(message) else message) from None

    def el(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def els(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def visible(self, css, timeout=20):
        return self.wait(lambda: (e := self.el(css)).is_displayed() and e, timeout,
                         f"{css} never became visible")

    def shown(self, css):
        try:
            found = self.els(css)
            return bool(found) and found[0].is_displayed()
        except StaleElementReferenceException:
            return False

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def stored_token(self):
        return self.js(f"return sessionStorage.getItem('{TOKEN_KEY}')")

    def status(self):
        return self.el("#status").text

    def alert(self):
        return self.el("#alert").text if self.shown("#alert") else ""

    def wait_status(self, text, timeout=20):
        return self.wait(lambda: text in self.status(), timeout,
                         lambda: f"status never said {text!r}: {self.status()!r} (alert: {self.alert()!r})")

    def wait_alert(self, text, timeout=20):
        return self.wait(lambda: text in self.alert(), timeout,
                         lambda: f"alert never said {text!r}: {self.alert()!r}")

    def generation(self, element_id):
        return int(self.el(f"#{element_id}").get_attribute("data-generation") or 0)

    def screenshot(self, name):
        """The whole page (not just the viewport) as var/test-artifacts/NAME."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        size = self.d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        # The full viewport width: the capture lays the page out without a scroll bar.
        width = max(size["width"], self.js("return window.innerWidth"))
        shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    # -- sign-in
    def sign_in(self, token, expect_ok=True):
        before = self.generation("sources-wrap")
        self.visible("#token-input").clear()
        # Pasted, as an operator would (send_keys of 300 characters is slow but faithful).
        self.js("arguments[0].value = arguments[1]", self.el("#token-input"), token)
        self.el("#sign-in-form button[type=submit]").click()
        if expect_ok:
            self.visible("#identity")
            self.wait_sources_loaded(before)

    # -- sources table
    def wait_sources_loaded(self, after_generation):
        self.wait(lambda: self.generation("sources-wrap") > after_generation, 20,
                  lambda: f"the table was not loaded (alert: {self.alert()!r})")

    def refresh(self):
        before = self.generation("sources-wrap")
        self.el("#refresh").click()
        self.wait_sources_loaded(before)

    def go_list(self):
        if self.shown("#view-sources"):
            self.refresh()
            return
        before = self.generation("sources-wrap")
        self.js("location.hash = '#/'")
        self.wait_sources_loaded(before)

    def names(self):
        return [tr.find_element(By.CSS_SELECTOR, "th").text for tr in self.els("#sources-body tr")]

    def row(self, name):
        def find():
            for tr in self.els("#sources-body tr"):
                if tr.find_element(By.CSS_SELECTOR, "th").text == name:
                    return tr
            return None
        return self.wait(find, 20, lambda: f"no row named {name!r}; rows: {self.names()}")

    def cell(self, name, col):
        """The cell's text; read again when the table re-rendered under the read (auto refresh)."""
        return self.wait(lambda: (self.row(name).find_element(By.CSS_SELECTOR, f'[data-col="{col}"]').text,))[0]

    def cell_time(self, name, col):
        """The machine-readable time of a cell (its <time datetime>), or None."""
        found = self.row(name).find_elements(By.CSS_SELECTOR, f'[data-col="{col}"] time')
        return found[0].get_attribute("datetime") if found else None

    def narrow(self, width=400, height=900):
        # Headless Chromium keeps windows at least ~500 px wide; emulate the viewport instead.
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def action(self, name, action):
        self.row(name).find_element(By.CSS_SELECTOR, f'[data-action="{action}"]').click()

    # -- details
    def open_details(self, name):
        before = self.generation("details-body")
        self.action(name, "details")
        self.wait(lambda: self.shown("#view-details") and self.generation("details-body") > before)

    # -- form
    def new_source(self):
        self.el("#new-source").click()
        self.visible("#f-platform")

    def fill(self, css, value):
        e = self.el(css)
        e.clear()
        if value:
            e.send_keys(value)

    def fill_source(self, platform, name, credentials=None, interval=None, settings=None, streams=None,
                    files=None, auth=None):
        """`files`: credential name -> a file loaded through its file input; `auth`: the Microsoft
        credential kind to choose ("secret" or "certificate") before filling in credentials."""
        Select(self.el("#f-platform")).select_by_value(platform)
        self.fill("#f-source_name", name)
        if interval is not None:
            self.fill("#f-polling_interval_minutes", str(interval))
        if auth:
            self.el(f"#f-cred-auth_method-{auth}").click()
        for key, value in (credentials or {}).items():
            self.fill(f"#f-cred-{key}", value)
        for key, path in (files or {}).items():
            self.el(f"#f-cred-{key}-file").send_keys(str(path))
            self.wait(lambda: "Loaded" in self.el(f"#f-cred-{key}-file-status").text)
        for key, value in (settings or {}).items():
            e = self.el(f"#f-settings-{key}")
            if e.tag_name == "select":
                Select(e).select_by_value(value)
            else:
                self.fill(f"#f-settings-{key}", "\n".join(value) if isinstance(value, list) else str(value))
        if streams is not None:
            for box in self.els('input[name="streams"]'):
                if box.is_selected() != (box.get_attribute("value") in streams):
                    box.click()

    def save(self):
        self.el("#form-save").click()

    def field_error(self, input_id):
        css = f"#{input_id}-error"
        self.wait(lambda: self.shown(css), 20, lambda: f"no error shown for {input_id} (box: {self.form_errors()!r})")
        return self.el(css).text

    def form_errors(self):
        return self.el("#form-errors").text if self.shown("#form-errors") else ""


# ------------------------------------------------------------------------------------ API helpers

def sources_url(stack):
    return f"{stack.url}/v1/cloud_api_sources"


def api_sources(stack, session):
    r = session.get(sources_url(stack), params={"limit": 500})
    assert r.status_code == 200, r.text
    return {s["source_name"]: s for s in r.json()["items"]}


def create_via_api(stack, session, platform="Microsoft365", name=None, **extra):
    r = session.post(sources_url(stack), json=sample_sources.body(platform, name=name, **extra))
    assert r.status_code == 201, r.text
    return r.json()


def report_poll(stack, source_id, **outcome):
    poller = stack.session(stack.token(roles=["poller"]))
    r = poller.post(f"{sources_url(stack)}/poll/status", json={"source_id": source_id, **outcome})
    assert r.status_code == 200, r.text


def expired_token(stack, tenant):
    now = int(time.time())
    return jwt.encode({"sub": "ops", "tenant_id": tenant, "roles": ["admin"], "iat": now - 7200, "exp": now - 3600},
                      stack.env["SIEM_JWT_SECRET"], algorithm="HS256")


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ------------------------------------------------------------------------------------ sign-in

def test_sign_in_shows_tenant_and_roles_and_sign_out_clears_the_token(page, stack, tenant):
    page.visible("#token-input")
    assert not page.shown("#identity")
    page.screenshot("admin-sign-in.png")

    # Not a JWT: said next to the field, nothing stored.
    page.sign_in("not-a-token", expect_ok=False)
    assert "not a JWT" in page.visible("#token-error").text
    assert page.el("#token-input").get_attribute("aria-invalid") == "true"
    assert page.stored_token() is None

    token = stack.token(tenant=tenant, roles=["admin", "viewer"])
    page.sign_in(f"Bearer {token}\n")
    assert page.stored_token() == token
    assert page.el("#identity-tenant").text == tenant
    assert page.el("#identity-roles").text == "admin, viewer"
    assert not page.shown("#role-note")
    assert "in 1 h" in page.el("#identity-expiry").text or "in 60 min" in page.el("#identity-expiry").text
    assert page.shown("#view-sources") and page.shown("#sources-empty")
    assert not page.shown("#view-sign-in")

    # A reload keeps the session (same tab).
    page.d.refresh()
    page.visible("#identity")
    assert page.el("#identity-tenant").text == tenant

    page.el("#sign-out").click()
    page.visible("#view-sign-in")
    assert page.stored_token() is None
    assert not page.shown("#identity") and not page.shown("#view-sources")
    page.wait_status("Signed out")
    assert page.els("#sources-body tr") == []
    page.d.refresh()
    page.visible("#view-sign-in")
    assert page.stored_token() is None


def test_expired_token_is_refused_and_leads_back_to_sign_in(page, stack, tenant):
    page.sign_in(expired_token(stack, tenant), expect_ok=False)
    page.visible("#view-sign-in")
    page.wait_alert("Sign in with a new token")
    assert "refused the token" in page.alert()
    assert page.stored_token() is None
    assert not page.shown("#identity")

    # A token that expires while working: the next call sends the operator back to sign-in.
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    page.js(f"sessionStorage.setItem('{TOKEN_KEY}', arguments[0])", expired_token(stack, tenant))
    page.el("#refresh").click()
    page.visible("#view-sign-in")
    page.wait_alert("Sign in with a new token")
    assert page.stored_token() is None


def test_viewer_can_look_but_is_told_its_role_cannot_change_anything(page, stack, tenant, admin):
    source = create_via_api(stack, admin, name="viewer-can-see")
    page.sign_in(stack.token(tenant=tenant, roles=["viewer"]))
    assert page.el("#identity-roles").text == "viewer"
    assert "no admin role" in page.visible("#role-note").text
    assert page.cell("viewer-can-see", "enabled") == "Yes"

    page.action("viewer-can-see", "toggle")
    page.wait_alert("Your role cannot do this")
    assert "viewer" in page.alert()
    assert admin.get(f"{sources_url(stack)}/{source['source_id']}").json()["is_enabled"] is True
    assert page.stored_token()  # a 403 is not a reason to sign out

    page.new_source()
    page.fill_source("AWS", "viewer-cannot-create", sample_sources.credentials("AWS"))
    page.save()
    page.wait_alert("Your role cannot do this")
    assert "viewer-cannot-create" not in api_sources(stack, admin)


# ------------------------------------------------------------------------------------ create, list, edit

def test_create_one_source_per_platform_and_see_them_listed(page, stack, tenant, admin, tmp_path):
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    ms = sample_sources.credentials("Microsoft365")
    az = sample_sources.credentials("AzureAD", secret="azure-secret-value-0123456789")
    gcp = sample_sources.credentials("GCP")
    aws = sample_sources.credentials("AWS")
    aws["session_token"] = "FwoGZXIvYXdzEJr//////////wEaDE3example-session-token"
    key_file = tmp_path / "collector-key.json"
    key_file.write_text(json.dumps(gcp, indent=2))

    forms = [
        ("Microsoft365", "m365-contoso", dict(credentials=ms, interval=5, streams=["directory_audits"],
         settings={"initial_lookback_minutes": 60, "overlap_minutes": 10, "cloud": "usgov",
                   "authority_host": "https://login.microsoftonline.us",
                   "graph_endpoint": "https://graph.microsoft.us"})),
        ("AzureAD", "entra-fabrikam", dict(credentials=az, settings={
            "management_endpoint": "https://management.azure.com",
            "subscription_ids": ["11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"]})),
        ("GCP", "gcp-acme-audit", dict(files={"service_account_key": key_file}, interval=30, settings={
            "logging_endpoint": "https://logging.googleapis.com", "resource_names": ["projects/acme-audit-123"],
            "filter": 'protoPayload.serviceName="iam.googleapis.com"', "page_size": 500})),
        ("AWS", "aws-prod-trail", dict(credentials=aws, settings={
            "endpoint_url": "https://cloudtrail.eu-west-1.amazonaws.com"})),
    ]
    for platform, name, spec in forms:
        page.go_list()
        page.new_source()
        # Secret inputs are password fields (or the key textarea) and start empty.
        for secret in page.els("input.secret, textarea.secret"):
            assert secret.get_attribute("value") == ""
        page.fill_source(platform, name, **spec)
        for secret in page.els("input.secret"):
            assert secret.get_attribute("type") == "password"
        page.save()
        page.wait(lambda: page.shown("#view-details") and page.el("#details-heading").text == name, 20,
                  lambda: f"{name} was not created: {page.form_errors()!r} {page.alert()!r}")
        page.wait_status(f"Created {name}")
        assert page.el("#credential-fingerprint").text

    page.go_list()
    assert page.names() == ["aws-prod-trail", "entra-fabrikam", "gcp-acme-audit", "m365-contoso"]
    expected_platforms = {"m365-contoso": "Microsoft 365", "entra-fabrikam": "Entra ID (Azure AD)",
                          "gcp-acme-audit": "Google Cloud", "aws-prod-trail": "AWS"}
    for name, label in expected_platforms.items():
        assert page.cell(name, "platform") == label
        assert page.cell(name, "enabled") == "Yes"
        assert page.cell(name, "last_poll") == "never"
        assert page.cell(name, "errors") == "0"
        assert page.cell(name, "events") == "0"
        assert "UTC" in page.cell(name, "next_poll")
    page.screenshot("admin-sources-table.png")

    stored = api_sources(stack, admin)
    assert stored["m365-contoso"]["polling_interval_minutes"] == 5
    assert stored["m365-contoso"]["settings"] == {
        "initial_lookback_minutes": 60, "overlap_minutes": 10, "cloud": "usgov", "streams": ["directory_audits"],
        "authority_host": "https://login.microsoftonline.us", "graph_endpoint": "https://graph.microsoft.us"}
    assert stored["entra-fabrikam"]["settings"] == {
        "management_endpoint": "https://management.azure.com",
        "subscription_ids": ["11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"]}
    assert stored["gcp-acme-audit"]["settings"] == {
        "logging_endpoint": "https://logging.googleapis.com", "resource_names": ["projects/acme-audit-123"],
        "filter": 'protoPayload.serviceName="iam.googleapis.com"', "page_size": 500}
    assert stored["gcp-acme-audit"]["polling_interval_minutes"] == 30
    assert stored["aws-prod-trail"]["settings"] == {"endpoint_url": "https://cloudtrail.eu-west-1.amazonaws.com"}
    assert all(s["credentials"]["set"] and s["is_enabled"] for s in stored.values())
    # No secret ever lands in the page.
    html = page.d.page_source
    for secret in (ms["client_secret"], az["client_secret"], aws["secret_access_key"], aws["session_token"],
                   gcp["private_key"].splitlines()[5]):
        assert secret not in html


def test_validation_errors_appear_next_to_their_fields(page, stack, tenant, admin):
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    page.new_source()
    page.fill_source("Microsoft365", "bad-interval", sample_sources.credentials("Microsoft365"), interval=0,
                     settings={"graph_endpoint": "http://graph.example.test"})
    page.save()
    assert "1 to 1440" in page.field_error("f-polling_interval_minutes")
    assert "https" in page.field_error("f-settings-graph_endpoint")
    interval = page.el("#f-polling_interval_minutes")
    assert interval.get_attribute("aria-invalid") == "true"
    assert "f-polling_interval_minutes-error" in interval.get_attribute("aria-describedby")
    # Next to it: the message sits in the input's own field block, and the input has the focus.
    assert page.js("return arguments[0].closest('.field').contains(document.getElementById(arguments[1]))",
                   interval, "f-polling_interval_minutes-error")
    assert page.js("return document.activeElement.id") == "f-polling_interval_minutes"
    assert not page.shown("#form-errors")
    page.screenshot("admin-create-form-error.png")

    # A credential error lands on its credential input: a bad AWS region.
    aws = dict(sample_sources.credentials("AWS"), region="Ireland")
    page.fill_source("AWS", "bad-region", aws, interval=5)
    assert not page.shown("#f-polling_interval_minutes-error")  # a platform change clears old errors
    page.save()
    assert "region" in page.field_error("f-cred-region")
    assert page.el("#f-cred-region").get_attribute("aria-invalid") == "true"
    assert not page.shown("#f-polling_interval_minutes-error")

    # No stream ticked: the error is on the streams group.
    page.fill_source("AWS", "no-streams", sample_sources.credentials("AWS"), streams=[])
    page.save()
    assert "non-empty" in page.field_error("f-streams")

    # A GCP key that is not JSON is caught before anything is sent.
    page.fill_source("GCP", "bad-key", streams=["cloud_audit"])
    page.fill("#f-cred-service_account_key", '{"type": "service_account", oops')
    page.save()
    assert "not valid JSON" in page.field_error("f-cred-service_account_key")
    # A GCP key with a bad member: the member is named in the message on the key field.
    key = dict(sample_sources.credentials("GCP"), private_key="-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    page.js("arguments[0].value = arguments[1]", page.el("#f-cred-service_account_key"), json.dumps(key))
    page.save()
    assert page.field_error("f-cred-service_account_key").startswith("private_key:")

    # An error without a field of its own (duplicate name, 409) goes to the box on top.
    create_via_api(stack, admin, "AWS", name="taken-name")
    page.fill_source("AWS", "taken-name", sample_sources.credentials("AWS"), streams=["cloudtrail"])
    page.save()
    page.wait(lambda: "already exists" in page.form_errors(), 20, lambda: page.form_errors())
    assert set(api_sources(stack, admin)) == {"taken-name"}


def test_edit_keeps_the_stored_secret_unless_a_new_one_is_typed(page, stack, tenant, admin):
    source = create_via_api(stack, admin, "Microsoft365", name="edit-me", polling_interval_minutes=15,
                            settings={"initial_lookback_minutes": 120, "streams": ["sign_ins"],
                                      "graph_endpoint": "https://graph.example.test"})
    fingerprint = source["credentials"]["fingerprint"]
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    # Record the request bodies the page sends.
    page.js("""window.__sent = []; const f = window.fetch;
               window.fetch = (url, init) => { if (init && init.body) window.__sent.push([init.method, url, init.body]);
                                               return f(url, init); };""")
    page.action("edit-me", "edit")
    page.wait(lambda: page.el("#form-heading").text == "Edit edit-me")
    assert page.el("#f-source_name").get_attribute("value") == "edit-me"
    assert page.el("#f-polling_interval_minutes").get_attribute("value") == "15"
    assert page.el("#f-settings-initial_lookback_minutes").get_attribute("value") == "120"
    assert page.el("#f-settings-graph_endpoint").get_attribute("value") == "https://graph.example.test"
    assert page.el("#f-stream-sign_ins").is_selected() and not page.el("#f-stream-directory_audits").is_selected()
    for key in ("tenant_id", "client_id", "client_secret"):
        assert page.el(f"#f-cred-{key}").get_attribute("value") == ""
    assert page.el("#f-cred-client_secret").get_attribute("type") == "password"
    assert fingerprint in page.el("#f-credentials-help").text

    page.fill("#f-source_name", "edited")
    page.fill("#f-polling_interval_minutes", "30")
    page.fill("#f-settings-overlap_minutes", "5")
    page.save()
    page.wait(lambda: page.el("#details-heading").text == "edited")
    page.wait_status("Saved edited")
    method, url, body = page.js("return window.__sent[window.__sent.length - 1]")
    assert method == "PUT" and url.endswith(source["source_id"])
    assert "api_credentials_json" not in json.loads(body)
    after = admin.get(f"{sources_url(stack)}/{source['source_id']}").json()
    assert after["source_name"] == "edited" and after["polling_interval_minutes"] == 30
    assert after["settings"] == {"initial_lookback_minutes": 120, "overlap_minutes": 5, "streams": ["sign_ins"],
                                 "graph_endpoint": "https://graph.example.test"}
    assert after["credentials"]["fingerprint"] == fingerprint

    # Typing only a new secret is not enough: the API asks for the rest, next to each field.
    page.el('#details-actions [data-action="edit"]').click()
    page.visible("#f-cred-client_secret")
    page.fill("#f-cred-client_secret", "a-brand-new-secret-value-42")
    page.save()
    assert "required" in page.field_error("f-cred-tenant_id")
    assert "required" in page.field_error("f-cred-client_id")
    assert admin.get(f"{sources_url(stack)}/{source['source_id']}").json()["credentials"]["fingerprint"] == fingerprint
    new = sample_sources.credentials("Microsoft365", secret="a-brand-new-secret-value-42")
    page.fill_source("Microsoft365", "edited", {"tenant_id": new["tenant_id"], "client_id": new["client_id"]})
    page.save()
    page.wait_status("with new credentials")
    assert json.loads(page.js("return window.__sent[window.__sent.length - 1]")[2])["api_credentials_json"] == new
    changed = admin.get(f"{sources_url(stack)}/{source['source_id']}").json()["credentials"]["fingerprint"]
    assert changed != fingerprint
    page.wait(lambda: page.shown("#credential-fingerprint") and page.el("#credential-fingerprint").text == changed)


def test_table_sorts_by_header_with_mouse_and_keyboard(page, stack, tenant, admin):
    ids = {name: create_via_api(stack, admin, platform, name=name)["source_id"]
           for name, platform in [("bravo", "GCP"), ("alpha", "AWS"), ("charlie", "Microsoft365")]}
    report_poll(stack, ids["alpha"], status="success", events=5, duration_ms=10)
    report_poll(stack, ids["bravo"], status="success", events=1200, duration_ms=10)
    report_poll(stack, ids["charlie"], status="error", message="AADSTS7000215: Invalid client secret provided.")
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))

    def sort_state():
        return {th.get_attribute("data-key"): th.get_attribute("aria-sort") for th in page.els("#sources-head th[data-key]")}

    assert page.names() == ["alpha", "bravo", "charlie"]
    assert sort_state()["name"] == "ascending"
    assert {v for k, v in sort_state().items() if k != "name"} == {"none"}
    assert page.cell("bravo", "events") == "1,200"
    assert page.cell("charlie", "errors") == "1"
    assert "Invalid client secret" in page.cell("charlie", "last_error")

    name_header = page.el('button[data-sort-key="name"]')
    name_header.click()
    assert page.names() == ["charlie", "bravo", "alpha"]
    assert sort_state()["name"] == "descending"

    page.el('button[data-sort-key="platform"]').click()
    assert page.names() == ["alpha", "bravo", "charlie"]  # AWS, Google Cloud, Microsoft 365
    assert sort_state()["platform"] == "ascending" and sort_state()["name"] == "none"

    # Keyboard: Enter and Space on the focused header; the focus stays on it after re-rendering.
    events = page.el('button[data-sort-key="events"]')
    page.js("arguments[0].focus()", events)
    page.d.switch_to.active_element.send_keys(Keys.ENTER)
    page.wait(lambda: sort_state()["events"] == "ascending")
    assert page.names() == ["charlie", "alpha", "bravo"]
    assert page.js("return document.activeElement.dataset.sortKey") == "events"
    page.d.switch_to.active_element.send_keys(Keys.SPACE)
    page.wait(lambda: sort_state()["events"] == "descending")
    assert page.names() == ["bravo", "alpha", "charlie"]

    page.el('button[data-sort-key="errors"]').click()
    page.el('button[data-sort-key="errors"]').click()
    assert page.names()[0] == "charlie"
    page.el('button[data-sort-key="last_poll"]').click()
    assert sort_state()["last_poll"] == "ascending"


def test_a_source_no_poller_picked_up_is_flagged_overdue(page, stack, tenant, admin, db):
    ids = {name: create_via_api(stack, admin, "AWS", name=name)["source_id"] for name in ("stuck", "on-time", "paused")}
    db.execute("UPDATE cloud_api_sources SET next_poll_time = now() - interval '3 hours' WHERE source_id IN (%s, %s)",
               (ids["stuck"], ids["paused"]))
    db.execute("UPDATE cloud_api_sources SET next_poll_time = now() - interval '2 minutes' WHERE source_id = %s",
               (ids["on-time"],))
    db.execute("UPDATE cloud_api_sources SET is_enabled = false WHERE source_id = %s", (ids["paused"],))
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    badge = page.row("stuck").find_elements(By.CSS_SELECTOR, '[data-col="next_poll"] [data-overdue]')
    assert len(badge) == 1 and badge[0].text == "overdue"
    assert "is cron running siem-poller?" in badge[0].get_attribute("title")
    # Due a few minutes ago is normal (the next tick takes it); a disabled source is not scheduled at all.
    assert not page.row("on-time").find_elements(By.CSS_SELECTOR, "[data-overdue]")
    assert page.cell("paused", "next_poll") == "not scheduled"


def test_auto_refresh_shows_changes_without_a_click_but_not_under_the_keyboard_focus(page, stack, tenant, admin, db):
    sid = create_via_api(stack, admin, "GCP", name="watched")["source_id"]
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    assert page.cell("watched", "errors") == "0"
    box = page.el("#auto-refresh")
    assert not box.is_selected()

    def errors_shown():
        return page.wait(lambda: page.cell("watched", "errors"), 5)

    def set_errors(n):
        db.execute("UPDATE cloud_api_sources SET error_count = %s, last_error = 'HTTP 503' WHERE source_id = %s", (n, sid))

    page.js("arguments[0].dataset.intervalMs = '300'", box)  # 30 s in real use
    box.click()
    set_errors(4)
    page.wait(lambda: page.cell("watched", "errors") == "4", 10, lambda: f"still {errors_shown()!r}")

    # A keyboard user inside the table keeps the focus: no re-render under it.
    # (Found and focused in one step: the 300 ms refresh may replace the row in between.)
    page.wait(lambda: page.js("arguments[0].focus(); return true",
                              page.row("watched").find_element(By.CSS_SELECTOR, "a.source-link")))
    set_errors(5)
    time.sleep(1.5)
    assert errors_shown() == "4"
    assert page.js("return document.activeElement.classList.contains('source-link')")
    page.js("document.activeElement.blur()")
    page.wait(lambda: page.cell("watched", "errors") == "5", 10, lambda: f"still {errors_shown()!r}")

    # Off: nothing changes until Refresh.
    page.el("#auto-refresh").click()
    set_errors(6)
    time.sleep(1.5)
    assert errors_shown() == "5"
    page.el("#refresh").click()
    page.wait(lambda: page.cell("watched", "errors") == "6", 10)


# ------------------------------------------------------------------------------------ actions

def test_disable_enable_and_delete_with_confirmation(page, stack, tenant, admin):
    source = create_via_api(stack, admin, "AzureAD", name="to-be-deleted")
    url = f"{sources_url(stack)}/{source['source_id']}"
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))

    page.action("to-be-deleted", "toggle")
    page.wait_status("to-be-deleted disabled")
    page.wait(lambda: page.cell("to-be-deleted", "enabled") == "No")
    assert page.cell("to-be-deleted", "next_poll") == "not scheduled"
    state = admin.get(url).json()
    assert state["is_enabled"] is False
    assert state["credentials"]["fingerprint"] == source["credentials"]["fingerprint"]
    assert state["settings"] == source["settings"]

    page.action("to-be-deleted", "toggle")
    page.wait(lambda: page.cell("to-be-deleted", "enabled") == "Yes")
    assert admin.get(url).json()["is_enabled"] is True

    # Delete asks first; Escape (or Cancel) deletes nothing.
    page.action("to-be-deleted", "delete")
    dialog = page.visible("#confirm-dialog")
    assert "to-be-deleted" in dialog.text and "cannot be undone" in dialog.text
    assert page.js("return document.activeElement.id") == "confirm-cancel"
    page.d.switch_to.active_element.send_keys(Keys.ESCAPE)
    page.wait(lambda: not page.shown("#confirm-dialog"))
    page.wait_status("Nothing was deleted")
    assert admin.get(url).status_code == 200

    page.action("to-be-deleted", "delete")
    page.visible("#confirm-dialog")
    page.el("#confirm-cancel").click()
    page.wait(lambda: not page.shown("#confirm-dialog"))
    assert admin.get(url).status_code == 200

    page.action("to-be-deleted", "delete")
    page.visible("#confirm-ok").click()
    page.wait_status("Deleted to-be-deleted")
    page.wait(lambda: page.names() == [])
    assert page.shown("#sources-empty")
    assert admin.get(url).status_code == 404


def test_details_show_settings_credential_state_and_checkpoints(page, kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 25, iso(3600), iso(120))
    source = kit.create_source(app, streams=["directory_audits"], overlap_minutes=3)
    kit.poll(source)
    polled = kit.source(source["source_id"])
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    name = source["source_name"]
    assert page.cell(name, "events") == "25"

    page.open_details(name)
    assert page.el("#details-heading").text == name
    assert page.el("#credential-fingerprint").text == polled["credentials"]["fingerprint"]
    settings = page.el("#details-settings").text
    assert kit.fake.base_url in settings and "overlap_minutes" in settings and "directory_audits" in settings
    row = page.el('#details-checkpoints tr[data-stream="directory_audits"]')
    watermark = polled["cursor"]["directory_audits"]["watermark"]
    shown = row.find_element(By.CSS_SELECTOR, '[data-col="watermark"] time')
    assert parse_time(shown.get_attribute("datetime")) == parse_time(watermark)
    assert shown.text.endswith("UTC")
    seen = polled["cursor"]["directory_audits"].get("seen_count")
    assert row.find_element(By.CSS_SELECTOR, '[data-col="seen_count"]').text == (str(seen) if seen is not None else "–")
    assert "25" in page.el("#details-status").text
    assert app.secret not in page.d.page_source
    page.screenshot("admin-details.png")


def test_a_failing_or_lagging_stream_is_flagged_while_the_source_delivers(page, kit, db):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 5, iso(3000), iso(120))
    kit.add_events(app, "signIns", 5, iso(3000), iso(120))
    source = kit.create_source(app)
    sid, name = source["source_id"], source["source_name"]
    kit.poll(source)
    # sign_ins three hours behind (rewound, as a backlog left behind would leave it); directory_audits failing.
    r = kit.admin.put(f"{kit.stack.url}/v1/cloud_api_sources/{sid}/checkpoints/sign_ins", json={"watermark": iso(3 * 3600)})
    assert r.status_code == 200, r.text
    db.execute("""UPDATE cloud_api_sources SET stream_state = jsonb_set(stream_state, '{directory_audits}',
                      stream_state -> 'directory_audits' || '{"state": "failing", "error_count": 2,
                      "last_error": "missing permission: directory_audits: HTTP 403", "next_attempt": "2099-01-01T00:00:00Z"}')
                  WHERE source_id = %s""", (sid,))
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    assert page.cell(name, "errors").startswith("0")   # the source itself is not failing
    (badge,) = page.row(name).find_elements(By.CSS_SELECTOR, '[data-col="errors"] [data-stream-alert]')
    assert badge.get_attribute("data-stream-alert") == "failing" and badge.text == "stream failing +1"
    title = badge.get_attribute("title")
    assert "directory_audits failing (2 errors)" in title and "sign_ins falling behind: watermark 3h old" in title

    page.open_details(name)
    lagging = page.el('#details-streams tr[data-stream="sign_ins"]')
    assert lagging.get_attribute("data-state") == "lagging"
    assert lagging.find_element(By.CSS_SELECTOR, '[data-col="state"]').text == "Lagging"
    assert lagging.find_element(By.CSS_SELECTOR, '[data-col="age"]').text == "3h — falling behind"
    failing = page.el('#details-streams tr[data-stream="directory_audits"]')
    assert failing.get_attribute("data-state") == "failing"
    assert failing.find_element(By.CSS_SELECTOR, '[data-col="errors"]').text == "2"
    assert "HTTP 403" in failing.find_element(By.CSS_SELECTOR, '[data-col="last_error"]').text
    assert failing.find_element(By.CSS_SELECTOR, '[data-col="next_attempt"] time')
    page.screenshot("admin-details-streams.png")


def test_rewind_a_stream_checkpoint(page, kit):
    """Needs PUT /v1/cloud_api_sources/{id}/checkpoints/{stream}."""
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 10, iso(3600), iso(120))
    source = kit.create_source(app, streams=["directory_audits"])
    kit.poll(source)
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    page.open_details(source["source_name"])
    target = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).replace(microsecond=0)
    rewind_input = page.el("#rewind-directory_audits")
    # The browser runs with TZ=UTC, so the local value is the UTC time.
    page.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
            rewind_input, target.strftime("%Y-%m-%dT%H:%M:%S"))
    assert target.strftime("%Y-%m-%d %H:%M:%S UTC") in page.el("#rewind-directory_audits-help").text
    page.el('form.rewind[data-stream="directory_audits"] button').click()
    page.visible("#confirm-ok").click()
    page.wait_status("rewound", timeout=20)
    cursor = kit.source(source["source_id"])["cursor"]["directory_audits"]
    assert parse_time(cursor["watermark"]) == target
    shown = page.el('#details-checkpoints tr[data-stream="directory_audits"] [data-col="watermark"] time')
    assert parse_time(shown.get_attribute("datetime")) == target


def test_poll_now_then_a_poller_run_updates_the_figures(page, kit, only_new_sources_due):
    """Needs POST /v1/cloud_api_sources/{id}/poll_now."""
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 30, iso(5400), iso(600))
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    page.new_source()
    page.fill_source("Microsoft365", "contoso-live",
                     {"tenant_id": app.tenant, "client_id": app.client_id, "client_secret": app.secret},
                     interval=15, streams=["directory_audits"],
                     settings={"initial_lookback_minutes": 180, "authority_host": kit.fake.base_url,
                               "graph_endpoint": kit.fake.base_url})
    page.save()
    page.wait(lambda: page.el("#details-heading").text == "contoso-live")
    source = api_sources(kit.stack, kit.admin)["contoso-live"]

    # A first scheduled run collects the backlog; the source is then not due for 15 minutes.
    kit.poll(source)
    page.go_list()
    assert page.cell("contoso-live", "events") == "30"
    first_poll = page.cell_time("contoso-live", "last_poll")
    assert first_poll
    assert parse_time(kit.source(source["source_id"])["next_poll_time"]) > dt.datetime.now(dt.timezone.utc)

    kit.add_events(app, "directoryAudits", 12, iso(300), iso(30))
    page.action("contoso-live", "poll-now")
    page.wait_status("is due now")
    assert parse_time(kit.source(source["source_id"])["next_poll_time"]) <= dt.datetime.now(dt.timezone.utc)

    # An ordinary run (no --source) picks it up because it is due.
    proc = kit.run_poller()
    lines = [line for line in proc.log if line.get("msg") == "source polled"
             and line.get("source.id") == source["source_id"]]
    assert lines and lines[0]["outcome"] == "success" and lines[0]["events"] == 12, proc.stderr
    page.refresh()
    assert page.cell("contoso-live", "events") == "42"
    assert parse_time(page.cell_time("contoso-live", "last_poll")) > parse_time(first_poll)
    assert page.cell("contoso-live", "errors") == "0"


def test_poll_now_on_a_disabled_source_says_to_enable_it(page, stack, tenant, admin):
    """Needs POST /v1/cloud_api_sources/{id}/poll_now (409 when disabled)."""
    create_via_api(stack, admin, "AWS", name="sleeping", is_enabled=False)
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    page.action("sleeping", "poll-now")
    page.wait_alert("sleeping cannot be polled now")
    assert "enable it first" in page.alert().lower()


def test_test_button_in_the_create_form_shows_each_stream(page, kit):
    """Needs POST /v1/cloud_api_sources/test."""
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 3, iso(3000), iso(100))
    kit.add_events(app, "signIns", 2, iso(3000), iso(100))
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    page.new_source()
    creds = {"tenant_id": app.tenant, "client_id": app.client_id, "client_secret": app.secret}
    page.fill_source("Microsoft365", "tested-first", creds,
                     settings={"authority_host": kit.fake.base_url, "graph_endpoint": kit.fake.base_url})
    page.el("#form-test").click()
    page.wait(lambda: page.shown("#form-test-results table"), 60, lambda: page.form_errors() or page.alert())
    assert "Passed" in page.el("#form-test-results-summary").text
    statuses = {tr.get_attribute("data-stream"): tr.find_element(By.CSS_SELECTOR, ".badge").get_attribute("data-status")
                for tr in page.els("#form-test-results tbody tr")}
    assert statuses == {"directory_audits": "ok", "sign_ins": "ok"}
    assert api_sources(kit.stack, kit.admin) == {}  # a test stores nothing
    page.screenshot("admin-create-form-test.png")

    page.fill("#f-cred-client_secret", "not-the-right-secret-123")
    page.el("#form-test").click()
    page.wait(lambda: "Failed" in page.el("#form-test-results").text, 60, lambda: page.form_errors() or page.alert())
    badges = page.els("#form-test-results tbody .badge")
    assert badges and all(b.get_attribute("data-status") == "bad_credentials" for b in badges)
    assert "Bad credentials" in page.el("#form-test-results").text


def test_create_a_source_with_a_certificate(page, kit, tmp_path):
    """The certificate is loaded from its file, the key pasted; the secret typed before switching is dropped."""
    app = kit.new_app(certificate=True)
    kit.add_events(app, "directoryAudits", 3, iso(3000), iso(100))
    kit.add_events(app, "signIns", 2, iso(3000), iso(100))
    cert_file = tmp_path / "collector.crt"
    cert_file.write_text(app.certificate.cert_pem)
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    page.js("""window.__sent = []; const f = window.fetch;
               window.fetch = (url, init) => { if (init && init.body) window.__sent.push([init.method, url, init.body]);
                                               return f(url, init); };""")
    page.new_source()
    # A secret by default; the certificate inputs appear only when chosen.
    assert page.el("#f-cred-auth_method-secret").is_selected()
    assert page.shown("#f-cred-client_secret") and not page.shown("#f-cred-certificate_pem")
    endpoints = {"authority_host": kit.fake.base_url, "graph_endpoint": kit.fake.base_url}
    page.fill_source("Microsoft365", "m365-by-certificate",
                     {"tenant_id": app.tenant, "client_id": app.client_id, "client_secret": "typed-then-dropped"},
                     settings=endpoints)
    page.fill_source("Microsoft365", "m365-by-certificate", auth="certificate",
                     files={"certificate_pem": cert_file})
    assert not page.shown("#f-cred-client_secret") and page.shown("#f-cred-private_key_pem")
    assert "(certificate)" in page.el("#f-cred-certificate_pem-file-status").text
    key_input = page.el("#f-cred-private_key_pem")
    assert "secret" in key_input.get_attribute("class") and key_input.get_attribute("value") == ""
    page.js("arguments[0].value = arguments[1]", key_input, app.certificate.key_pem_pkcs1)  # pasted
    page.screenshot("admin-create-form-certificate.png")

    page.el("#form-test").click()
    page.wait(lambda: page.shown("#form-test-results table"), 60, lambda: page.form_errors() or page.alert())
    statuses = {tr.get_attribute("data-stream"): tr.find_element(By.CSS_SELECTOR, ".badge").get_attribute("data-status")
                for tr in page.els("#form-test-results tbody tr")}
    assert statuses == {"directory_audits": "ok", "sign_ins": "ok"}

    page.save()
    page.wait_status("Created m365-by-certificate")
    sent = json.loads(page.js("return window.__sent[window.__sent.length - 1]")[2])["api_credentials_json"]
    assert sent == app.certificate.credentials(app.tenant, app.client_id, pkcs1=True)
    source = api_sources(kit.stack, kit.admin)["m365-by-certificate"]
    assert source["credentials"]["set"] and source["credentials"]["expires_at"]
    # The details show when the certificate ends (not flagged: it has more than 30 days left).
    page.wait(lambda: page.shown("#credential-expiry"))
    assert page.el("#credential-expiry time").get_attribute("datetime") == source["credentials"]["expires_at"]
    assert "warning" not in page.el("#credential-expiry").get_attribute("class")
    assert app.certificate.key_pem_pkcs1.splitlines()[5] not in page.d.page_source
    kit.poll(source)
    assert len(kit.read()) == 5

    # Editing shows neither the certificate nor the key, and leaves them alone unless replaced.
    page.el('#details-actions [data-action="edit"]').click()
    page.visible("#f-cred-auth_method-certificate").click()
    assert page.el("#f-cred-certificate_pem").get_attribute("value") == ""
    assert page.el("#f-cred-private_key_pem").get_attribute("value") == ""
    page.fill("#f-polling_interval_minutes", "20")
    page.save()
    page.wait_status("Saved m365-by-certificate")
    assert "api_credentials_json" not in json.loads(page.js("return window.__sent[window.__sent.length - 1]")[2])
    assert api_sources(kit.stack, kit.admin)["m365-by-certificate"]["credentials"] == source["credentials"]


def test_test_action_of_a_stored_source(page, kit):
    """Needs POST /v1/cloud_api_sources/{id}/test."""
    app = kit.new_app()
    source = kit.create_source(app, streams=["directory_audits"])
    page.sign_in(kit.stack.token(tenant=kit.siem_tenant, roles=["admin"]))
    page.action(source["source_name"], "test")
    page.wait(lambda: page.shown("#details-test-results table"), 60, lambda: page.alert())
    badge = page.el('#details-test-results tr[data-stream="directory_audits"] .badge')
    assert badge.get_attribute("data-status") == "ok"


# ------------------------------------------------------------------------------------ narrow screens, a11y, CSP

def test_narrow_window_is_usable(page, stack, tenant, admin):
    create_via_api(stack, admin, "Microsoft365", name="narrow-one")
    create_via_api(stack, admin, "AWS", name="narrow-two-with-a-rather-long-name-that-must-wrap-somewhere")
    page.narrow(400)
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    assert page.js("return window.innerWidth") == 400
    width = page.js("return document.documentElement.clientWidth")

    def no_horizontal_scroll():
        # clientWidth excludes the vertical scroll bar: nothing may hide under it either.
        return page.js("""const w = document.documentElement.clientWidth;
            return document.documentElement.scrollWidth <= w ? true :
              [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
                .slice(0, 8).map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}/${w}`);""")

    assert no_horizontal_scroll() is True, no_horizontal_scroll()
    # Rows are stacked cards: each cell carries its column name.
    cell = page.row("narrow-one").find_element(By.CSS_SELECTOR, '[data-col="platform"]')
    assert page.js("return getComputedStyle(arguments[0], '::before').content", cell) == '"Platform"'
    for button in page.row("narrow-one").find_elements(By.CSS_SELECTOR, "[data-action]"):
        rect = button.rect
        assert button.is_displayed() and rect["x"] >= 0 and rect["x"] + rect["width"] <= width, rect
    # Sorting stays reachable.
    sort_button = page.el('button[data-sort-key="name"]')
    assert sort_button.is_displayed()
    sort_button.click()
    assert page.names()[0].startswith("narrow-two")
    page.screenshot("admin-narrow-table.png")

    page.open_details("narrow-one")
    assert no_horizontal_scroll() is True, no_horizontal_scroll()
    page.go_list()
    page.new_source()
    for platform in ("Microsoft365", "AzureAD", "GCP", "AWS"):
        Select(page.el("#f-platform")).select_by_value(platform)
        assert no_horizontal_scroll() is True, (platform, no_horizontal_scroll())
        for e in page.els("#source-form input:not([type=checkbox]), #source-form select, #source-form textarea"):
            r = e.rect
            assert r["x"] >= 0 and r["x"] + r["width"] <= width, (platform, e.get_attribute("id"), r)
    page.screenshot("admin-narrow-form.png")


def test_form_controls_are_labelled_and_keyboard_focus_is_visible(page, stack, tenant):
    page.sign_in(stack.token(tenant=tenant, roles=["admin"]))
    assert page.el("#status").get_attribute("aria-live") == "polite"
    assert all(th.get_attribute("aria-sort") in ("ascending", "descending", "none")
               for th in page.els("#sources-head th[data-key]"))
    page.new_source()
    for platform in ("Microsoft365", "AzureAD", "GCP", "AWS"):
        Select(page.el("#f-platform")).select_by_value(platform)
        unlabelled = page.js("""
            return [...document.querySelectorAll('#source-form input, #source-form select, #source-form textarea')]
              .filter(e => !(e.labels && e.labels.length && e.labels[0].textContent.trim()))
              .map(e => e.id || e.name);""")
        assert unlabelled == [], (platform, unlabelled)
        # Nothing clickable that is not a button, link or form control.
        assert page.js("return document.querySelectorAll('[onclick], div[role=button], span[role=button]').length") == 0

    # Tab through the form: every stop is a real control and shows a focus ring.
    Select(page.el("#f-platform")).select_by_value("Microsoft365")
    page.js("document.getElementById('f-platform').focus()")
    seen = []
    for _ in range(40):
        page.d.switch_to.active_element.send_keys(Keys.TAB)
        info = page.js("""const e = document.activeElement, s = getComputedStyle(e);
                          return [e.tagName, e.id, s.outlineStyle, s.outlineWidth, e.matches(':focus-visible')];""")
        tag, ident, style, owidth, focus_visible = info
        assert tag in ("INPUT", "SELECT", "TEXTAREA", "BUTTON", "A"), info
        assert focus_visible and style != "none" and owidth != "0px", info
        seen.append(ident)
        if ident == "form-cancel":
            break
    assert seen[:3] == ["f-source_name", "f-polling_interval_minutes", "f-is_enabled"], seen
    assert {"f-cred-client_secret", "f-stream-sign_ins", "f-settings-graph_endpoint", "form-save", "form-test",
            "form-cancel"} <= set(seen), seen


def test_page_loads_only_from_its_own_origin_under_the_csp(page, stack):
    r = stack.session().get(f"{stack.url}/")
    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "'unsafe-inline'" not in csp
    origin = stack.url.rstrip("/")
    resources = page.js("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(name.startswith(origin + "/") for name in resources), resources
    assert page.js("return window.isSecureContext")

    html = (HTDOCS / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle\s*=", html) and "<style" not in html, "inline style"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    for path in HTDOCS.rglob("*.js"):
        text = path.read_text()
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", "document.write",
                       ".style.", "setAttribute(\"style\"", "import(\"http", "fetch(\"http"):
            assert banned not in text, (path.name, banned)
