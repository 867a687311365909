"""Drives the REST Lab (/lab) in headless Chromium against live servers (see scripts/lab-browser-test).

Each step works through the page as a person would (pickers, buttons, inputs), checks what the
page shows, and checks the server's state by plain HTTP. A screenshot of every step goes to the
output folder. Exits 1 at the first failed check, with a screenshot of the page as it was.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 15


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def http(base, method, path, body=None, headers=None):
    """A plain HTTP request beside the browser: (status, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text else None


class Lab:
    """The page, through selenium, by the data-test names it gives its controls."""

    def __init__(self, driver, output):
        self.driver = driver
        self.output = output
        self.shots = []
        self.steps = 0
        self.errors = []

    def drain(self, expected=None):
        """Reads the browser's console: errors go to self.errors, but for failed loads (an
        answer of 4xx is a test case here) and, when given, the expected message; returns
        whether the expected message was seen."""
        seen = False
        for entry in self.driver.get_log("browser"):
            message = entry.get("message", "")
            if entry.get("level") != "SEVERE" or "Failed to load resource" in message:
                continue
            if expected and expected in message:
                seen = True
            else:
                self.errors.append(message)
        return seen

    def find(self, name, within=None):
        return (within or self.driver).find_element(By.CSS_SELECTOR, f'[data-test="{name}"]')

    def find_all(self, name, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, f'[data-test="{name}"]')

    def until(self, condition, message):
        try:
            # The page redraws a panel when an answer arrives: an element read meanwhile is stale, and read again.
            return WebDriverWait(self.driver, WAIT, ignored_exceptions=[StaleElementReferenceException]).until(lambda _: condition())
        except TimeoutException:
            raise Failure(f"timed out waiting for {message}")

    def open(self, base):
        self.driver.get(base + "/lab")
        self.until(lambda: self.find("lab-status").get_attribute("data-ready") == "true", "the page to load its mounts")

    def choose(self, name, value):
        Select(self.find(name)).select_by_value(value)

    def type(self, name, text, within=None):
        field = self.find(name, within)
        field.clear()
        if text:
            field.send_keys(text)

    def tick(self, name, on):
        box = self.find(name)
        if box.is_selected() != on:
            box.click()

    def click(self, name, within=None):
        button = self.find(name, within)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def status(self):
        return self.find("status-code").text if self.find_all("status-code") else ""

    def exchanges(self):
        return int(self.find("response-status").get_attribute("data-exchange") or 0)

    def answered(self, action, what):
        """Runs `action`, then waits until the page shows the answer of one more request."""
        before = self.exchanges()
        action()
        self.until(lambda: self.exchanges() > before, what)

    def send(self):
        """Sends the composed request; waits for its answer; returns its status code."""
        self.answered(lambda: self.click("send"), "the response")
        return int(self.status())

    def browse(self, expected):
        self.answered(lambda: self.click("browse"), "the rows")
        rows = self.find_all("row")
        check(len(rows) == expected, f"expected {expected} rows, the page shows {len(rows)}: {self.find('browse-note').text}")
        return rows

    def filter(self, column, op, value):
        self.click("add-filter")
        row = self.find_all("filter")[-1]
        Select(self.find("filter-column", row)).select_by_value(column)
        Select(self.find("filter-op", row)).select_by_value(op)
        self.type("filter-value", value, row)

    def header(self, name):
        cells = self.driver.find_elements(By.CSS_SELECTOR, f'[data-test="response-header"][data-name="{name.lower()}"] td')
        return cells[1].text if len(cells) == 2 else None

    def shot(self, name):
        """A screenshot of the whole page (the window grown to its height)."""
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(900, min(height + 40, 6000)))
        self.steps += 1
        path = os.path.join(self.output, f"{self.steps:02d}-{name}.png")
        self.driver.save_screenshot(path)
        self.shots.append(path)

    def shot_of(self, name, selector):
        """A screenshot of one part of the page."""
        element = self.driver.find_element(By.CSS_SELECTOR, selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
        path = os.path.join(self.output, f"{name}.png")
        element.screenshot(path)
        self.shots.append(path)

    def tree(self, box):
        """The tree drawn in `box`: [(depth, verb, resource, key, action, parent key)]."""
        nodes = []
        for node in self.find_all("tree-node", self.find(box)):
            parent = node.find_elements(By.XPATH, "ancestor::li[@data-test='tree-node'][1]")
            nodes.append((int(node.get_attribute("data-depth")), node.get_attribute("data-verb"), node.get_attribute("data-resource"),
                          node.get_attribute("data-key"), node.get_attribute("data-action"),
                          parent[0].get_attribute("data-key") if parent else None))
        return nodes

    def counts(self, box):
        return self.find("tree-counts", self.find(box)).text


GOLF_TREE = [
    (0, "DELETE", "customer", "Golf Industries", "root", None),
    (1, "DELETE", "purchase_order", "1", "cascade", "Golf Industries"),
    (2, "DELETE", "line_item", "1,1", "cascade", "1"),
    (2, "DELETE", "line_item", "1,2", "cascade", "1"),
    (1, "DELETE", "purchase_order", "2", "cascade", "Golf Industries"),
    (2, "DELETE", "line_item", "2,1", "cascade", "2"),
]
GOLF_COUNTS = "6 rows: customer DELETE ×1, purchase_order DELETE ×2, line_item DELETE ×3"


def delete_with_cascade(lab, demo):
    """A customer with two orders and three line items: dry run, delete, undo."""
    lab.open(demo)
    lab.choose("mount", "/api")
    lab.choose("resource", "customer")
    lab.browse(4)
    lab.shot("browse-customers")

    lab.filter("name", "eq", "Golf Industries")
    rows = lab.browse(1)
    lab.click("pick", rows[0])
    check(lab.find("key-name").get_attribute("value") == "Golf Industries", "picking the row fills in its key")
    checksum = lab.find("checksum").get_attribute("value")
    check(checksum.startswith("A:"), f"picking the row fills in its checksum, got {checksum!r}")
    status, before = http(demo, "GET", "/api/customer/Golf%20Industries")
    check(status == 200 and before["@metadata"]["checksum"] == checksum, "the checksum shown is the row's")

    lab.choose("method", "DELETE")
    lab.tick("dryrun", True)
    preview = lab.find("request-preview").text
    check(preview.startswith("DELETE /api/customer/Golf%20Industries?dryrun"), f"the request shown: {preview!r}")
    check(f'If-Match: "{checksum}"' in preview, f"the checksum goes as If-Match: {preview!r}")
    check(lab.send() == 200, "the dry run answers 200")
    lab.until(lambda: lab.find_all("tree-counts", lab.find("tree-before")), "the dry run's tree")
    check(lab.tree("tree-before") == GOLF_TREE, f"the dry run's tree: {lab.tree('tree-before')}")
    check(lab.counts("tree-before") == GOLF_COUNTS, f"the dry run's counts: {lab.counts('tree-before')}")
    check(lab.header("ETag").startswith('"P:'), "a dry run's ETag is its preview")
    check(http(demo, "GET", "/api/customer/Golf%20Industries")[0] == 200, "a dry run deletes nothing")
    lab.shot("dry-run-tree")
    lab.shot_of("lab-dry-run", "#composer")

    preview_tag = lab.header("ETag").strip('"')
    lab.click("use-preview")
    check(not lab.find("dryrun").is_selected(), "committing the preview turns the dry run off")
    check(f'If-Match: "{preview_tag}"' in lab.find("request-preview").text, "the delete commits exactly the preview")
    check(lab.send() == 200, "the delete answers 200")
    lab.until(lambda: lab.find_all("tree-counts", lab.find("tree-after")), "the delete's tree")
    check(lab.tree("tree-after") == GOLF_TREE, f"the delete's tree: {lab.tree('tree-after')}")
    check(lab.counts("tree-after") == GOLF_COUNTS, f"the delete's counts: {lab.counts('tree-after')}")
    transaction = lab.header("Restable-Transaction")
    check(bool(transaction), "the delete names its transaction")
    lab.shot("deleted-tree")
    lab.shot_of("lab-delete-tree", "#trees")

    check(http(demo, "GET", "/api/customer/Golf%20Industries")[0] == 404, "the customer is gone")
    check(http(demo, "GET", "/api/purchase_order?customer_name=Golf%20Industries") == (200, []), "its orders are gone")
    check(http(demo, "GET", "/api/line_item?order_id=in.(1,2)") == (200, []), "their line items are gone")

    lab.click("journal-refresh")

    def undo_dry_run():
        # The journal redraws after the delete and after Refresh: find the button as it is now.
        lab.click("undo-dryrun", lab.driver.find_element(By.CSS_SELECTOR, f'[data-test="transaction"][data-id="{transaction}"]'))
        return True

    lab.until(undo_dry_run, "the transaction in the journal")
    lab.until(lambda: lab.find_all("tree-counts", lab.find("undo-tree")), "the undo's dry run")
    check(lab.counts("undo-tree") == GOLF_COUNTS.replace("DELETE", "INSERT"), f"the undo's dry run: {lab.counts('undo-tree')}")
    check(lab.tree("undo-tree")[0][:4] == (0, "INSERT", "customer", "Golf Industries"), f"the undo's tree: {lab.tree('undo-tree')}")
    check(http(demo, "GET", "/api/customer/Golf%20Industries")[0] == 404, "an undo's dry run puts nothing back")
    lab.shot("undo-dry-run")
    lab.click("undo-confirm")
    lab.until(lambda: lab.find("undo-title").text.endswith("done"), "the undo")
    status, after = http(demo, "GET", "/api/customer/Golf%20Industries")
    check(status == 200 and after["@metadata"]["checksum"] == checksum, "the customer is back, with its checksum")
    status, orders = http(demo, "GET", "/api/line_item?order_id=in.(1,2)")
    check(status == 200 and len(orders) == 3, "the line items are back")
    lab.until(lambda: "by " in lab.driver.find_element(By.CSS_SELECTOR, f'[data-test="transaction"][data-id="{transaction}"]').text,
              "the journal to show the transaction undone")
    lab.shot("undone")
    lab.shot_of("lab-journal", "#journal")


def set_null(lab, demo):
    """A user whose campaigns keep going without their creator: set-null rows under the user."""
    lab.choose("resource", "user")
    lab.choose("target", "row")
    lab.type("key-user_id", "2")
    lab.choose("method", "DELETE")
    lab.tick("dryrun", True)
    check(lab.send() == 200, "the dry run of user 2 answers 200")
    lab.until(lambda: "user DELETE" in lab.counts("tree-before"), "the set-null tree")
    expected = [(0, "DELETE", "user", "2", "root", None), (1, "UPDATE", "campaign", "1", "setNull", "2"), (1, "UPDATE", "campaign", "2", "setNull", "2")]
    check(lab.tree("tree-before") == expected, f"the set-null tree: {lab.tree('tree-before')}")
    lab.tick("dryrun", False)


def hostile(lab, demo):
    """Markup in values is shown as text; odd keys are encoded; refusals show their problem."""
    name = '<img src=x onerror="window.__pwned=1">, 50% & "Co"/x'
    lab.choose("resource", "customer")
    lab.choose("method", "POST")
    lab.choose("target", "collection")
    lab.type("body", json.dumps({"name": name, "balance": 1, "credit_limit": 2}))
    check(lab.send() == 201, "the hostile customer is created")
    lab.filter("name", "eq", name)
    rows = lab.browse(1)
    check(name in rows[0].text, "the name shows as text")
    lab.click("pick", rows[0])
    lab.choose("method", "DELETE")
    lab.tick("dryrun", True)
    path = lab.find("request-preview").text.split("\n")[0]
    check(path.startswith("DELETE /api/customer/%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E%2C%2050%25%20%26%20%22Co%22%2Fx?"),
          f"the key is encoded in the path: {path!r}")
    check(lab.send() == 200, "the dry run of the hostile customer")
    lab.until(lambda: lab.tree("tree-before")[0][3] == name, "the hostile key in the tree")
    check(not lab.driver.find_elements(By.CSS_SELECTOR, "img"), "no markup from a value became an element")
    check(lab.driver.execute_script("return window.__pwned === undefined"), "no script from a value ran")
    lab.drain()
    lab.driver.execute_script("const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s)")
    check(lab.driver.execute_script("return window.__inline === undefined"), "the Content-Security-Policy blocks inline script")
    check(lab.drain(expected="Content Security Policy"), "the browser reports the blocked inline script")

    lab.tick("dryrun", False)
    lab.choose("method", "GET")
    lab.type("key-name", 'Nobody, "odd" & <b>bold</b>')
    check(lab.send() == 404, "a missing key is 404")
    check(lab.find("problem-code").text == "notFound", "the problem's code is shown")
    check('<b>bold</b>' in lab.find("problem-detail").text, "the problem's detail shows the key as text")
    check(not lab.driver.find_elements(By.CSS_SELECTOR, "#problem b"), "no markup from a problem became an element")

    lab.choose("resource", "advertiser")
    lab.type("key-advertiser_id", "3")
    lab.choose("method", "DELETE")
    check(lab.send() == 409, "an advertiser with campaigns is restricted")
    check(lab.find("problem-code").text == "restricted", "the problem's code is restricted")
    check("campaign" in lab.find("problem-dependent").text, "the blocking campaigns are named")
    check(lab.header("Content-Type") == "application/problem+json", "a refusal is problem+json")
    check(http(demo, "GET", "/api/advertiser/3")[0] == 200, "a refused delete changes nothing")
    lab.shot("refused-delete")

    lab.type("key-advertiser_id", "x,1")
    check(lab.send() == 400, "a malformed key is 400")
    check(lab.find("problem-code").text == "invalidKey", "the problem's code is invalidKey")


def sign_in(lab, shop):
    """The shop's mounts ask for credentials: an API key on /api, a Buzz sign-in on /rest."""
    lab.open(shop)
    lab.choose("mount", "/api")
    lab.choose("resource", "customer")
    lab.click("browse")
    lab.until(lambda: lab.status() == "401", "a 401 without credentials")
    check("X-API-Key" in (lab.header("WWW-Authenticate") or ""), "the 401 says what to send")
    lab.type("auth-api-key", "reader-example-key-change-me")
    lab.click("auth-use-api-key")
    check("API key" in lab.find("auth-state").text, "the page says it uses the key")
    lab.choose("target", "collection")
    check("X-API-Key: •••" in lab.find("request-preview").text, "the key is never shown")
    lab.browse(2)
    lab.choose("method", "DELETE")
    lab.choose("target", "row")
    lab.type("key-name", "Alpha and Sons")
    check(lab.send() == 403, "the reader may not delete")
    check(lab.find("problem-code").text == "forbidden", "the refusal is forbidden")
    lab.shot("signed-in-api-key")

    lab.choose("mount", "/rest")
    lab.choose("resource", "advertiser")
    lab.type("auth-username", "alice")
    lab.type("auth-password", "alice-example-password")
    lab.click("auth-sign-in")
    lab.until(lambda: "Signed in as alice" in lab.find("auth-state").text, "the Buzz sign-in")
    check(lab.driver.execute_script("return document.cookie") == "", "the session cookie is HttpOnly: the page cannot read it")
    lab.browse(2)
    lab.shot("signed-in-session")
    lab.click("auth-sign-out")
    lab.until(lambda: "No credentials" in lab.find("auth-state").text, "the sign-out")
    lab.click("browse")
    lab.until(lambda: lab.status() == "401", "a 401 after signing out")


def narrow(lab, demo):
    """On a narrow window the panels stack and nothing spills sideways."""
    lab.driver.set_window_size(420, 900)
    lab.open(demo)
    lab.choose("resource", "purchase_order")
    lab.browse(3)
    width = lab.driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 420, f"the page is {width}px wide in a 420px window")
    lab.steps += 1
    path = os.path.join(lab.output, f"{lab.steps:02d}-narrow.png")
    lab.driver.save_screenshot(path)
    lab.shots.append(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", required=True)
    parser.add_argument("--shop", required=True)
    parser.add_argument("--output", required=True)
    arguments = parser.parse_args()

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox does not run as root (CI runs as root).
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    lab = Lab(driver, arguments.output)
    started = time.monotonic()
    steps = [("delete with a cascade, then undo", lambda: delete_with_cascade(lab, arguments.demo)),
             ("a set-null", lambda: set_null(lab, arguments.demo)),
             ("hostile values and refusals", lambda: hostile(lab, arguments.demo)),
             ("signing in", lambda: sign_in(lab, arguments.shop)),
             ("a narrow window", lambda: narrow(lab, arguments.demo))]
    passed = failed = 0
    try:
        for name, step in steps:
            try:
                step()
                passed += 1
                print(f"ok: {name}")
            except Exception as failure:  # a failed check, or the page not as the test expects
                failed += 1
                lab.shot("failed")
                print(f"FAILED: {name}: {type(failure).__name__}: {failure}", file=sys.stderr)
                break
        lab.drain()
        for message in lab.errors:
            failed += 1
            print(f"FAILED: the browser's console: {message}", file=sys.stderr)
    finally:
        driver.quit()
    print(f"{len(lab.shots)} screenshots in {arguments.output}; {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or passed != len(steps) else 0)


if __name__ == "__main__":
    main()
