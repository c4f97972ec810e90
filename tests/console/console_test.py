#!/usr/bin/env python3
"""The web console's journeys in headless Chromium (Debian's chromium and chromedriver),
against a real `make dev`: what a workspace admin does every day (tokens and webhooks), a read-only token's
console, a wrong token, and an outage while a form is open. After each journey: no secret in
the page's URL, cookies, storage or console output; axe-core finds no serious or critical
violation; screenshots at 1440 and 360 px go to $SCREENSHOTS.

Run by infra/scripts/console-test.sh, which starts `make dev` and sets the environment:
TESSERA_URL, WORKSPACE_TOKEN, READ_ONLY_WORKSPACE_TOKEN, DYNAMODB_PID (stopped for the outage
journey, so run it last), AXE_JS, SCREENSHOTS. Prints `console: ok <journey>` per journey.
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
URL = os.environ["TESSERA_URL"].rstrip("/")
CONSOLE = f"{URL}/console/"
ADMIN = os.environ["WORKSPACE_TOKEN"]
READ_ONLY = os.environ["READ_ONLY_WORKSPACE_TOKEN"]
SCREENSHOTS = os.environ["SCREENSHOTS"]
AXE_JS = open(os.environ["AXE_JS"], encoding="utf-8").read()
# Every secret the journeys see; none may be left in the URL, storage, cookies or logs.
SECRETS = [ADMIN, READ_ONLY]


def fail(message):
    print(f"console: FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def check(condition, message):
    if not condition:
        fail(message)


def browser(width):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp(prefix='console-chromium-')}",
        f"--window-size={width},900",
    ]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
    driver.set_window_size(width, 900)
    origin = re.match(r"https?://[^/]+", URL).group(0)
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
    })
    return driver


class Page:
    """A console in a browser, found by what people see: accessible names and text."""

    def __init__(self, driver):
        self.d = driver
        self.logs = []

    def wait(self, what, condition, timeout=20):
        try:
            return WebDriverWait(self.d, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
                lambda _: condition())
        except TimeoutException:
            fail(f"timed out waiting for {what}; the page says: {self.d.find_element(By.TAG_NAME, 'body').text[:600]!r}")

    def named(self, name, css="button", within=None):
        """The visible element matching css whose accessible name is exactly name."""
        root = within or self.d
        for element in root.find_elements(By.CSS_SELECTOR, css):
            if element.is_displayed() and element.accessible_name == name:
                return element
        return None

    def control(self, name, css="button", within=None):
        return self.wait(f"a {css} named {name!r}", lambda: self.named(name, css, within))

    def field(self, name):
        return self.control(name, "input, textarea, select")

    def fill(self, name, value):
        element = self.field(name)
        element.clear()
        element.send_keys(value)

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def row(self, name):
        """The table row whose name button says name (the first one, as sorted)."""
        for row in self.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr"):
            buttons = row.find_elements(By.CSS_SELECTOR, "td:first-child button")
            if buttons and buttons[0].text == name:
                return row
        return None

    def cell(self, row, label):
        return row.find_element(By.CSS_SELECTOR, f'td[data-label="{label}"]').text

    def sign_in(self, token):
        self.d.get(CONSOLE)
        box = self.field("Workspace token")
        box.send_keys(token)
        box.send_keys(Keys.ENTER)  # the keyboard's way: Enter submits

    def open_dialog(self):
        return self.wait("an open dialog", lambda: next(
            (d for d in self.d.find_elements(By.CSS_SELECTOR, "dialog[open]")), None))

    def collect_logs(self):
        self.logs.extend(entry["message"] for entry in self.d.get_log("browser"))

    def assert_no_secret_left(self, journey, extra=()):
        self.collect_logs()
        url = self.d.current_url
        storage = self.d.execute_script(
            "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
        cookies = json.dumps(self.d.get_cookies())
        for secret in SECRETS + list(extra):
            for where, text in [("the URL", url), ("browser storage", storage), ("cookies", cookies),
                                ("the console output", "\n".join(self.logs))]:
                check(secret not in text, f"{journey}: a secret is in {where}")
        check(storage == "[[],[]]", f"{journey}: the console stored something: {storage}")

    def axe(self, journey):
        self.d.execute_script(AXE_JS)
        result = self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
            " e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));")
        bad = [v for v in json.loads(result) if v["impact"] in ("serious", "critical")]
        check(not bad, f"{journey}: axe-core: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad))

    def shoot(self, name):
        width = self.d.execute_script("return window.innerWidth")
        overflow = self.d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 0, f"{name}: the page is {overflow} px wider than the {width} px window")
        self.d.save_screenshot(os.path.join(SCREENSHOTS, f"console-{name}-{width}.png"))


def api(method, path, token=None, bearer=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{token}:".encode()).decode()
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{URL}/{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def headers_and_csp(page):
    status, headers, body = api("GET", "console/")
    check(status == 200 and "<title>Tessera console</title>" in body, f"GET /console/: {status}")
    csp = headers.get("Content-Security-Policy", "")
    directives = [d.strip() for d in csp.split(";")]
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]:
        check(directive in directives, f"the CSP {csp!r} lacks {directive}")
    check("unsafe" not in csp, f"the CSP allows something unsafe: {csp}")
    check(headers.get("X-Content-Type-Options") == "nosniff", "no X-Content-Type-Options: nosniff")
    check(headers.get("Referrer-Policy") == "no-referrer", "no Referrer-Policy: no-referrer")
    # The browser enforces it: an inline script added to the page does not run.
    page.d.get(CONSOLE)
    page.field("Workspace token")
    ran = page.d.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
        "document.head.append(s); return window.inlineRan === true;")
    check(not ran, "an inline script ran: the CSP is not enforced")
    page.d.get(CONSOLE)
    page.axe("sign-in")
    page.shoot("sign-in")
    print("console: ok the page's headers (CSP, nosniff, no-referrer), enforced in the browser")


def blocked_module_cannot_submit_the_token(page):
    """With main.js blocked (the DevTools protocol's request blocking), Enter in the token field
    submits nothing: the form once navigated to /console/?workspace-token=tsw_..., putting the
    token in the URL, the history and access logs."""
    page.d.execute_cdp_cmd("Network.enable", {})
    page.d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/main.js"]})
    try:
        page.d.get(CONSOLE)
        field = page.d.find_element(By.ID, "workspace-token")
        field.send_keys(ADMIN)
        field.send_keys(Keys.ENTER)
        time.sleep(1)
        check(ADMIN not in page.d.current_url and "workspace-token" not in page.d.current_url,
              f"Enter without the module submitted the form: {page.d.current_url.split('?')[0]}?...")
        check(not page.d.find_element(By.ID, "sign-in-button").is_enabled(),
              "Sign in is enabled without the module that handles it")
    finally:
        page.d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    page.d.get(CONSOLE)
    page.assert_no_secret_left("blocked module")
    print("console: ok with main.js blocked, Enter submits nothing and Sign in stays disabled")


def wrong_token(page):
    page.sign_in("tsw_NotARealWorkspaceTokenAtAll000000000")
    page.wait("the wrong token's message", lambda: "was not accepted" in page.text())
    check(page.named("Sign out") is None, "a wrong token signed in")
    check(page.named("Workspace token", "input") is not None, "the sign-in form is gone")
    page.assert_no_secret_left("wrong token", ["tsw_NotARealWorkspaceTokenAtAll000000000"])
    print("console: ok a wrong workspace token is refused with a message")


def admin_journey(page):
    page.sign_in(ADMIN)
    page.control("New token")
    page.wait("the tokens table", lambda: "No access tokens yet." in page.text() or page.d.find_elements(
        By.CSS_SELECTOR, "#tokens-body tr"))
    page.axe("tokens (empty)")
    print("console: ok sign in with an admin workspace token")

    # New token, with limits; shown once.
    page.control("New token").click()
    dialog = page.open_dialog()
    page.fill("Name", "console-ci")
    page.fill("Description", "made by the browser test")
    Select(page.field("Expires")).select_by_visible_text("In 7 days")
    page.fill("Scopes", "docs.read billing.write")
    page.fill("Rate limit", "100")
    Select(page.field("Rate limit window")).select_by_visible_text("per minute")
    page.fill("Credits", "50")
    page.fill("External ID", "customer-42")
    page.axe("new token form")
    page.shoot("new-token")
    page.control("Create", within=dialog).click()
    value_box = page.field("New token value")
    page.wait("the new value", lambda: value_box.get_attribute("value").startswith("tsa_"))
    first = value_box.get_attribute("value")
    SECRETS.append(first)
    check("You won't be able to get it back once lost" in page.text(), "no warning that it is shown once")
    page.control("Copy").click()
    page.wait("the copy confirmation", lambda: "Copied" in page.text())
    copied = page.d.execute_async_script("navigator.clipboard.readText().then(arguments[arguments.length - 1])")
    check(copied == first, "Copy did not put the token on the clipboard")
    page.d.execute_script("navigator.clipboard.writeText('')")
    page.axe("new token value")
    page.control("Done").click()
    page.wait("the dialog to close", lambda: not page.d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    check(page.d.execute_script("return document.getElementById('secret-value').value") == "",
          "the value stays in the page after Done")
    check(first not in page.d.page_source, "the value stays in the page after Done")
    print("console: ok New token with limits: shown once, copied, gone after Done")

    # Find it in the table, by name and by externalId.
    filter_box = page.field("Filter by name or external ID")
    filter_box.send_keys("customer-4")
    row = page.wait("the new row", lambda: page.row("console-ci"))
    check(page.cell(row, "Status") == "active", f"status {page.cell(row, 'Status')!r}")
    check(page.cell(row, "Credits left") == "50", f"credits {page.cell(row, 'Credits left')!r}")
    check(page.cell(row, "Rate limit") == "100 / minute", f"rate limit {page.cell(row, 'Rate limit')!r}")
    check("docs.read" in page.cell(row, "Scopes"), "scopes missing")
    check(page.cell(row, "Last used") == "Never", "used before it was used")
    print("console: ok the token is in the table, found by its external ID")

    # Use it, as an app would: through the authorizer and the verify API.
    status, _, body = api("GET", "whoami", bearer=first)
    check(status == 200 and json.loads(body)["tokenName"] == "console-ci", f"/whoami: {status} {body}")
    status, _, body = api("POST", "accessTokens/verify", token=ADMIN, body={"token": first, "permissions": "docs.read"})
    check(status == 200 and json.loads(body)["code"] == "VALID", f"verify: {status} {body}")
    page.control("Refresh").click()
    page.wait("the use to show", lambda: page.row("console-ci") and page.cell(page.row("console-ci"), "Last used") != "Never")
    row = page.row("console-ci")
    credits = int(page.cell(row, "Credits left").replace(",", ""))
    check(credits < 50, f"credits still {credits} after two uses")
    spark = page.wait("the sparkline", lambda: row.find_elements(By.CSS_SELECTOR, "svg.sparkline"))[0]
    used = int(re.match(r"([\d,]+) verifications", spark.get_attribute("aria-label")).group(1).replace(",", ""))
    check(used >= 1, f"the sparkline counts {used}")
    # Two more tokens, one disabled: live tokens sort first, newest first.
    for name, body in [("nightly-export", {"description": "the billing export job", "scopes": ["billing.read"],
                                           "credits": {"remaining": 10000, "refill": {"interval": "monthly", "amount": 10000}}}),
                       ("old-staging-ci", {"description": "replaced by console-ci"})]:
        status, _, answer = api("POST", "accessTokens", token=ADMIN, body={"name": name, **body})
        check(status == 200, f"create {name}: {status} {answer}")
    old_id = next(t["id"] for t in json.loads(api("GET", "accessTokens", token=ADMIN)[2]) if t["name"] == "old-staging-ci")
    api("PATCH", f"accessTokens/{old_id}", token=ADMIN, body={"enabled": False})
    filter_box.clear()
    page.control("Refresh").click()
    page.wait("three rows", lambda: len(page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr")) == 3)
    page.wait("the sparklines", lambda: len(page.d.find_elements(By.CSS_SELECTOR, "#tokens-body svg.sparkline")) == 3)
    names = [r.find_element(By.CSS_SELECTOR, "td:first-child button").text
             for r in page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr")]
    check(names == ["nightly-export", "console-ci", "old-staging-ci"], f"sorted as {names}")
    page.shoot("tokens")
    print(f"console: ok the token works (/whoami, verify); the table shows its use ({used} verifications, {credits} credits left)")

    # Its page: usage by outcome and its audit entries.
    page.control("console-ci").click()
    page.wait("the detail chart", lambda: page.d.find_elements(By.CSS_SELECTOR, "#detail-chart svg.outcomes"))
    page.wait("its audit entries", lambda: "access_token.create" in page.d.find_element(By.ID, "detail-audit").text)
    page.axe("token detail")
    page.shoot("detail")
    page.control("← All tokens").click()
    print("console: ok the token's page: usage by outcome, its audit entries")

    # Edit.
    row = page.wait("the row", lambda: page.row("console-ci"))
    page.named("Edit", within=row).click()
    dialog = page.open_dialog()
    check(page.field("Name").get_attribute("value") == "console-ci", "Edit is not filled in")
    page.fill("Description", "edited in the browser")
    page.fill("Credits", "500")
    page.control("Save", within=dialog).click()
    page.wait("the edit to show", lambda: page.row("console-ci") and page.cell(page.row("console-ci"), "Credits left") == "500")
    check("edited in the browser" in page.row("console-ci").text, "the description did not change")
    print("console: ok Edit changes description and credits")

    # Disable and enable.
    page.named("Disable", within=page.row("console-ci")).click()
    page.wait("disabled", lambda: page.row("console-ci") and page.cell(page.row("console-ci"), "Status") == "disabled")
    status, _, body = api("POST", "accessTokens/verify", token=ADMIN, body={"token": first})
    check(json.loads(body)["code"] == "DISABLED", f"verify a disabled token: {body}")
    page.named("Enable", within=page.row("console-ci")).click()
    page.wait("enabled", lambda: page.row("console-ci") and page.cell(page.row("console-ci"), "Status") == "active")
    print("console: ok Disable refuses the token; Enable restores it")

    # Reroll with a grace period: the new value once, the old one in grace.
    page.named("Reroll", within=page.row("console-ci")).click()
    dialog = page.open_dialog()
    Select(page.field("Grace period")).select_by_visible_text("1 hour")
    page.control("Reroll", within=dialog).click()
    value_box = page.field("New token value")
    page.wait("the rerolled value", lambda: value_box.get_attribute("value").startswith("tsa_"))
    second = value_box.get_attribute("value")
    SECRETS.append(second)
    check(second != first, "reroll showed the old value")
    page.control("Done").click()
    page.wait("the old token in grace", lambda: any(
        page.cell(r, "Status") == "in grace" for r in page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr")))
    grace_row = next(r for r in page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr") if page.cell(r, "Status") == "in grace")
    offered = [b.text for b in grace_row.find_elements(By.CSS_SELECTOR, "td[data-label=Actions] button")]
    check(offered == ["Delete"], f"a token in grace offers {offered}; the API refuses all but Delete")
    for token, what in [(first, "the old value, in grace"), (second, "the new value")]:
        status, _, body = api("GET", "whoami", bearer=token)
        check(status == 200, f"{what} does not work: {status} {body}")
    print("console: ok Reroll with 1 hour of grace: both values work, the old one shows in grace")

    # Delete, with confirmation: the new token (first row: active sorts first).
    row = page.row("console-ci")
    check(page.cell(row, "Status") == "active", "the active token does not sort first")
    page.named("Delete", within=row).click()
    dialog = page.open_dialog()
    check("Delete console-ci?" in dialog.text, "no confirmation")
    page.axe("delete confirmation")
    page.control("Delete", within=dialog).click()
    page.wait("the deleted row to go", lambda: [
        page.cell(r, "Status") for r in page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr")
        if r.find_element(By.CSS_SELECTOR, "td:first-child button").text == "console-ci"] == ["in grace"])
    # The verify API, not /whoami: the authorizer's answer is cached for ReauthorizeEvery.
    status, _, body = api("POST", "accessTokens/verify", token=ADMIN, body={"token": second})
    check(json.loads(body)["code"] == "NOT_FOUND", f"a deleted token still verifies: {status} {body}")
    print("console: ok Delete asks, then the token stops working")

    # The audit log: newest first, filtered by action.
    page.control("Audit log").click()
    page.wait("audit entries", lambda: len(page.d.find_elements(By.CSS_SELECTOR, "#audit-body tr")) > 3)
    first_action = page.d.find_element(By.CSS_SELECTOR, "#audit-body tr td[data-label=Action]").text
    check(first_action == "access_token.delete", f"the newest entry is {first_action!r}, not the delete")
    Select(page.field("Action")).select_by_value("access_token.reroll")
    actions = [td.text for td in page.d.find_elements(By.CSS_SELECTOR, "#audit-body td[data-label=Action]")]
    check(actions == ["access_token.reroll"], f"filtered by reroll: {actions}")
    Select(page.field("Action")).select_by_value("")
    page.axe("audit log")
    page.shoot("audit")
    print("console: ok the audit log: newest first, filtered by action")

    page.control("Sign out").click()
    page.wait("the sign-in page", lambda: page.named("Workspace token", "input"))
    check("You signed out" in page.text(), "no sign-out message")
    source = page.d.page_source
    check("console-ci" not in source,
          "the tokens stay in the page after sign-out: " + source[max(0, source.find("console-ci") - 300):][:400])
    page.assert_no_secret_left("admin journey")
    print("console: ok Sign out forgets the token and the page's data")


def webhooks_journey(page):
    """Add an endpoint (its secret shown once), send a test that a standardwebhooks receiver on
    127.0.0.1 verifies, see the delivery, rotate the secret, delete the endpoint."""
    page.sign_in(ADMIN)
    page.control("Webhooks").click()
    page.wait("the webhooks page", lambda: "No endpoints yet." in page.text() or page.d.find_elements(
        By.CSS_SELECTOR, "#webhooks-body tr"))
    page.axe("webhooks (empty)")
    page.control("Add endpoint").click()
    dialog = page.open_dialog()
    page.fill("Endpoint URL", "https://10.0.0.7/hook")
    page.control("Add endpoint", within=dialog).click()
    error = page.d.find_element(By.ID, "webhook-form-error")
    page.wait("the refusal", lambda: "not public" in error.text)
    check(page.d.find_elements(By.CSS_SELECTOR, "#webhook-dialog[open]"), "a refused URL closed the form")
    port = free_port()
    page.fill("Endpoint URL", f"http://127.0.0.1:{port}/hook")
    page.fill("Description", "the browser test's receiver")
    page.control("Access Token Created", "input").click()
    page.axe("add endpoint form")
    page.shoot("add-webhook")
    page.control("Add endpoint", within=dialog).click()
    value_box = page.field("Signing secret")
    page.wait("the secret", lambda: value_box.get_attribute("value").startswith("whsec_"))
    secret = value_box.get_attribute("value")
    SECRETS.append(secret)
    check("Tessera keeps no copy" in page.text(), "no warning that the secret is shown once")
    page.control("Copy").click()
    page.wait("the copy confirmation", lambda: "Copied" in page.text())
    page.d.execute_script("navigator.clipboard.writeText('')")
    page.axe("webhook secret")
    page.control("Done").click()
    page.wait("the dialog to close", lambda: not page.d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    check(secret not in page.d.page_source, "the secret stays in the page after Done")
    row = page.wait("the endpoint's row", lambda: next(
        (r for r in page.d.find_elements(By.CSS_SELECTOR, "#webhooks-body tr") if str(port) in r.text), None))
    check("Access Token Created" in row.text and "active" in row.text, f"the row says {row.text!r}")
    print("console: ok Add endpoint: a private address refused, the secret shown once, copied, gone after Done")

    receiver = subprocess.Popen(
        [os.path.join(ROOT, ".tessera/tools/venv/bin/python"), os.path.join(ROOT, "tests/receivers/standard_webhooks_receiver.py"),
         str(port), secret], stdout=subprocess.PIPE, text=True)
    try:
        check("listening" in receiver.stdout.readline(), "the receiver did not start")
        page.control("Send test", within=row).click()
        page.wait("the deliveries", lambda: "Deliveries to" in page.text())

        def delivered():
            page.control("Refresh deliveries").click()
            time.sleep(0.5)
            return "delivered (204)" in page.text()
        page.wait("the test's delivery", delivered, timeout=40)
        receiver.terminate()
        line = json.loads(receiver.stdout.readline())
        check(line["type"] == "Webhook Test" and line["verifiedWith"] == [0], f"the receiver got {line}")
    finally:
        receiver.kill()
    page.axe("webhook deliveries")
    page.shoot("webhooks")
    print("console: ok Send test: delivered, verified by standardwebhooks, shown in Deliveries")

    page.control("Rotate secret", within=row).click()
    value_box = page.field("Signing secret")
    page.wait("the new secret", lambda: value_box.get_attribute("value").startswith("whsec_"))
    rotated = value_box.get_attribute("value")
    SECRETS.append(rotated)
    check(rotated != secret and "previous secret also signs until" in page.text(), "rotation did not say the overlap")
    page.control("Done").click()
    page.control("Delete", within=page.wait("the row", lambda: next(
        (r for r in page.d.find_elements(By.CSS_SELECTOR, "#webhooks-body tr") if str(port) in r.text), None))).click()
    page.control("Delete endpoint").click()
    page.wait("the endpoint gone", lambda: "No endpoints yet." in page.text())
    page.control("Sign out").click()
    page.assert_no_secret_left("webhooks journey")
    print("console: ok Rotate secret shows the new one and the overlap; Delete removes the endpoint")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_only_journey(page):
    page.sign_in(READ_ONLY)
    page.wait("the read-only note", lambda: "read-only" in page.text())
    page.wait("the tokens", lambda: page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr"))
    for name in ["New token", "Reroll", "Disable", "Enable", "Delete", "Edit"]:
        check(page.named(name) is None, f"a read-only console offers {name}")
    page.control("Webhooks").click()
    page.wait("the webhooks page", lambda: "endpoint" in page.text())
    for name in ["Add endpoint", "Send test", "Rotate secret", "Delete"]:
        check(page.named(name) is None, f"a read-only console offers {name}")
    page.control("Tokens").click()
    page.axe("read-only tokens")
    page.shoot("read-only")
    page.control("Sign out").click()
    page.assert_no_secret_left("read-only journey")
    print("console: ok a read-only token sees tokens, no create, reroll, disable, edit or delete")


def admin_cli(*args):
    """The operator CLI on make dev's stack (demo.env's variables are in the environment)."""
    return json.loads(subprocess.check_output([os.path.join(ROOT, "target/debug/tessera-admin"), "--json", *args]))


def idle_signs_out(page):
    page.sign_in(READ_ONLY)
    page.wait("the tokens", lambda: page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr"))
    # Sixteen minutes pass without a key press or click: the page's clock jumps ahead (no
    # hook in the console; its check runs every 15 s).
    page.d.execute_script("const real = Date.now; Date.now = () => real() + 16 * 60_000;")
    page.wait("the idle sign-out", lambda: page.named("Workspace token", "input"), timeout=30)
    check("after 15 minutes without activity" in page.text(), "no message on the idle sign-out")
    page.assert_no_secret_left("idle")
    print("console: ok 15 minutes without activity sign the console out, saying why")


def revoked_mid_session(page):
    issued = admin_cli("workspace", "token", "issue", "--workspace-id", os.environ["WORKSPACE_ID"],
                       "--user-id", os.environ["USER_ID"])
    SECRETS.append(issued["workspace_token"])
    page.sign_in(issued["workspace_token"])
    page.control("New token")
    admin_cli("workspace", "token", "revoke", "--workspace-id", os.environ["WORKSPACE_ID"],
              "--token-id", issued["token_id"])
    page.control("Refresh").click()
    page.wait("the sign-in page", lambda: page.named("Workspace token", "input"))
    check("no longer accepts this workspace token" in page.text(), "no message on a 401")
    check(page.named("Sign out") is None, "still signed in after a 401")
    page.assert_no_secret_left("revoked mid-session")
    print("console: ok a workspace token revoked mid-session: the next request signs out with a message")


def paged_listing(page):
    """A workspace whose listing is larger than one Lambda response (about 800 tokens whose
    descriptions escape to 7 KB each): GET /accessTokens answers pages linked by `Link`, and the
    console shows every token."""
    created = admin_cli("workspace", "create", "--name", "paged listing")
    token = created["workspace_token"]
    SECRETS.append(token)
    wanted = 800
    for i in range(wanted):
        status, _, body = api("POST", "accessTokens", token=token,
                              body={"name": f"paged-{i:04}", "description": "\u0001" * 1000})
        check(status == 200, f"creating token {i}: {status} {body}")
    status, headers, body = api("GET", "accessTokens", token=token)
    check(status == 200 and "rel=\"next\"" in (headers.get("Link") or ""), "the listing is not paged")
    check(len(json.loads(body)) < wanted, "the first page holds every token")
    page.sign_in(token)
    page.wait("every token in the table", lambda: len(page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr")) == wanted,
              timeout=60)
    page.control("Sign out").click()
    page.assert_no_secret_left("paged listing")
    print(f"console: ok a listing in pages (Link rel=next): all {wanted} tokens in the table")


def outage_keeps_the_form(page):
    page.sign_in(ADMIN)
    page.control("New token").click()
    dialog = page.open_dialog()
    page.fill("Name", "typed-before-the-outage")
    page.fill("Description", "must survive a 503")
    page.fill("Credits", "7")
    os.kill(int(os.environ["DYNAMODB_PID"]), 15)  # DynamoDB Local goes away
    time.sleep(1)
    page.control("Create", within=dialog).click()
    page.wait("the outage message", lambda: "try again" in dialog.text)
    check(dialog.get_attribute("open") is not None, "the form closed on a 503")
    for name, value in [("Name", "typed-before-the-outage"), ("Description", "must survive a 503"), ("Credits", "7")]:
        check(page.field(name).get_attribute("value") == value, f"{name} lost what was typed")
    check(page.named("Create", within=dialog).is_enabled(), "Create stays disabled after the failure")
    page.shoot("outage")
    page.assert_no_secret_left("outage")
    print("console: ok a 503 while the form is open: it says to retry and keeps what was typed")


def phone_layout():
    driver = browser(360)
    page = Page(driver)
    try:
        page.d.get(CONSOLE)
        page.shoot("sign-in")
        page.sign_in(ADMIN)
        page.wait("the tokens", lambda: page.d.find_elements(By.CSS_SELECTOR, "#tokens-body tr"))
        page.wait("the sparklines", lambda: page.d.find_elements(By.CSS_SELECTOR, "svg.sparkline"))
        page.axe("phone tokens")
        page.shoot("tokens")
        page.control("New token").click()
        page.open_dialog()
        page.shoot("new-token")
        page.field("Name").send_keys(Keys.ESCAPE)  # Escape closes a dialog
        page.wait("the dialog to close", lambda: not page.d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
        page.control("Audit log").click()
        page.wait("audit entries", lambda: page.d.find_elements(By.CSS_SELECTOR, "#audit-body tr"))
        page.shoot("audit")
        page.control("Sign out").click()
        page.assert_no_secret_left("phone")
        print("console: ok at 360 px: no sideways scrolling, axe clean, Escape closes the form")
    finally:
        driver.quit()


def main():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    driver = browser(1440)
    page = Page(driver)
    try:
        headers_and_csp(page)
        blocked_module_cannot_submit_the_token(page)
        wrong_token(page)
        admin_journey(page)
        webhooks_journey(page)
        read_only_journey(page)
        driver.quit()
        driver = None
        phone_layout()
        driver = browser(1440)
        page = Page(driver)
        idle_signs_out(page)
        revoked_mid_session(page)
        paged_listing(page)
        outage_keeps_the_form(page)
    finally:
        if driver:
            driver.quit()


if __name__ == "__main__":
    main()
