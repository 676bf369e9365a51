#!/usr/bin/env python3
"""Drives the dashboard of a running `vesper serve` in headless Chromium over WebDriver.

Started by Tests/EndToEndTests/DashboardBrowserTests.swift, one scenario per run:

    dashboard.py --base http://127.0.0.1:PORT --scenario NAME [--admin-token T --reader-token T] [--screenshots DIR]

Prints one JSON line {"ok": bool, "scenario": ..., "checks": [...], "error": ...} and exits 0 when
every check passed. The API is used (with urllib) to set up jobs and to read back what the
clicks did; everything a user does goes through the browser.
"""
import argparse
import json
import os
import shutil
import sys
import time
import traceback
import urllib.request
import urllib.error

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ARGS = None
CHECKS = []


def check(name, condition, detail=""):
    CHECKS.append({"name": name, "ok": bool(condition), "detail": str(detail)[:500]})
    if not condition:
        raise AssertionError(f"{name}: {detail}")


def api(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(ARGS.base + path, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait(description, predicate, timeout=30.0, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {description} (last: {last})")


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]:
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


def open_page(driver, path):
    driver.get(ARGS.base + path)
    return driver


def shot(driver, name):
    if ARGS.screenshots:
        os.makedirs(ARGS.screenshots, exist_ok=True)
        driver.save_screenshot(os.path.join(ARGS.screenshots, name + ".png"))


def text(driver, css):
    for _ in range(20):
        try:
            return driver.find_element(By.CSS_SELECTOR, css).text
        except StaleElementReferenceException:  # the live refresh swapped it
            time.sleep(0.1)
    return driver.find_element(By.CSS_SELECTOR, css).text


def click_by(driver, by, value):
    """Finds an element and clicks it as ``click`` does, finding it again if the page's live refresh
    swapped it between the find and the click."""
    for _ in range(20):
        try:
            return click(driver, driver.find_element(by, value))
        except StaleElementReferenceException:
            time.sleep(0.1)
    return click(driver, driver.find_element(by, value))


def click(driver, element):
    """Clicks a link or a submit button and waits for the next page to replace this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        # Chrome reports a node of the old document either as stale or, sometimes, with a generic
        # "does not belong to the document" error: both mean the next page replaced it.
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 15).until(replaced)


def submit(job, token=None):
    status, body = api("POST", "/jobs", job, token)
    check(f"enqueue {job.get('type')}", status == 201, body)
    return body["job_id"]


def job_status(job_id, token=None):
    return api("GET", f"/jobs/{job_id}", token=token)[1]["status"]


def dead_job(queue, token=None, payload=None):
    job_id = submit({"type": "demo.fail", "queue": queue, "max_retries": 0, "payload": payload or {}}, token)
    wait(f"job {job_id} in dlq", lambda: job_status(job_id, token) == "dlq")
    return job_id


def no_alert(driver):
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


# Scenarios -----------------------------------------------------------------------------------

def scenario_overview(driver):
    for _ in range(3):
        submit({"type": "demo.noop"})
    dead_job("overview")
    submit({"type": "later", "delay": "1h"})

    def counts_match():
        open_page(driver, "/ui")
        page = {s: int(driver.find_element(By.ID, f"count-{s}").get_attribute("data-count"))
                for s in ["pending", "scheduled", "processing", "done", "failed", "dlq", "cancelled"]}
        stats = api("GET", "/stats")[1]["jobs"]
        api_counts = {s: stats[s] for s in page}
        return page == api_counts and page["done"] >= 3 and page["dlq"] >= 1 and page["scheduled"] >= 1 and (page, api_counts)

    page, api_counts = wait("the overview's counts to match GET /stats", counts_match, timeout=30, interval=1.0)
    check("overview counts equal GET /stats", page == api_counts, f"page {page} api {api_counts}")
    check("overview has the throughput chart", len(driver.find_elements(By.CSS_SELECTOR, ".chart svg")) == 1)
    check("fleet size shown", text(driver, "#fleet-nodes") == "1", text(driver, "#fleet-nodes"))
    shot(driver, "overview")
    # The live refresh script runs (it is a separate file; the CSP forbids inline script).
    wait("a live refresh", lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("data-refreshed"), timeout=15)
    check("live refresh ran", True)
    for path, name in [("/ui/fleet", "fleet"), ("/ui/cron", "cron"), ("/ui/enqueue", "enqueue"), ("/ui/queues", "queues")]:
        open_page(driver, path)
        check(f"{name} page renders", driver.find_element(By.TAG_NAME, "h1").text != "", driver.title)
        shot(driver, name)
    open_page(driver, "/ui/cron")
    check("cron page lists the schedule", len(driver.find_elements(By.CSS_SELECTOR, "tr[data-schedule]")) >= 1)


def scenario_retry(driver):
    job_id = dead_job("retry-q")
    api("POST", "/queues/retry-q/pause")  # so the retried job stays pending for us to see
    open_page(driver, "/ui/jobs?status=dlq")
    check("dlq tab selected", driver.find_element(By.ID, "tab-dlq").get_attribute("aria-current") == "page")
    rows = driver.find_elements(By.CSS_SELECTOR, f"tr[data-job-id='{job_id}']")
    check("demo.fail job listed in the DLQ tab", len(rows) == 1)
    shot(driver, "jobs-dlq")
    click(driver, rows[0].find_element(By.TAG_NAME, "a"))
    check("job page shows dlq", text(driver, "#job-status") == "dlq", text(driver, "#job-status"))
    check("job page shows the error", "demo.fail" in text(driver, "#job-error") or text(driver, "#job-error") != "")
    shot(driver, "job")
    click_by(driver, By.ID, "retry-job")
    check("after retry the page says pending", text(driver, "#job-status") == "pending", text(driver, "#job-status"))
    check("notice shown", "pending" in text(driver, "#notice"))
    check("API reports pending", job_status(job_id) == "pending")


def scenario_pause(driver):
    api("POST", "/jobs", {"type": "demo.noop", "queue": "reports", "delay": "1h"})  # the queue shows up
    open_page(driver, "/ui/queues")
    click_by(driver, By.ID, "pause-reports")
    check("notice after pause", "paused" in text(driver, "#notice"))
    queues = {q["name"]: q for q in api("GET", "/queues")[1]["queues"]}
    check("GET /queues says paused", queues["reports"]["paused"] is True, queues.get("reports"))
    job_id = submit({"type": "demo.noop", "queue": "reports"})
    time.sleep(3)
    check("no claims from the paused queue", job_status(job_id) == "pending", job_status(job_id))
    queues = {q["name"]: q for q in api("GET", "/queues")[1]["queues"]}
    check("GET /queues counts it pending", queues["reports"]["pending"] == 1 and queues["reports"]["processing"] == 0, queues["reports"])
    shot(driver, "queues-paused")
    click_by(driver, By.ID, "resume-reports")
    wait("the job to run after resume", lambda: job_status(job_id) == "done")
    check("resumed queue is claimed again", True)


def scenario_bulk(driver):
    a = [dead_job("bulk-a") for _ in range(3)]
    b = [dead_job("bulk-b") for _ in range(2)]
    for queue in ["bulk-a", "bulk-b"]:
        api("POST", f"/queues/{queue}/pause")
    open_page(driver, "/ui/jobs?status=dlq&queue=bulk-a")
    check("filtered DLQ shows 3", len(driver.find_elements(By.CSS_SELECTOR, "tr[data-job-id]")) == 3)
    click_by(driver, By.ID, "bulk-retry")
    check("confirmation counts 3 matches", text(driver, "#bulk-count") == "3", text(driver, "#bulk-count"))
    shot(driver, "bulk-confirm")
    click_by(driver, By.ID, "bulk-confirm")
    check("notice reports 3 retried", "Retried 3 jobs; skipped 0" in text(driver, "#notice"), text(driver, "#notice"))
    check("matching jobs pending", all(job_status(j) == "pending" for j in a), [job_status(j) for j in a])
    check("other jobs still dlq", all(job_status(j) == "dlq" for j in b), [job_status(j) for j in b])


def job_gone(job_id, token=None):
    """True when the API (which reads the database) no longer knows the job."""
    return api("GET", f"/jobs/{job_id}", token=token)[0] == 404


def scenario_delete(driver):
    job_id = dead_job("del-q")
    running = submit({"type": "demo.sleep", "queue": "del-q", "payload": {"ms": 60000}})
    wait(f"job {running} running", lambda: job_status(running) == "processing")
    open_page(driver, f"/ui/jobs/{running}")
    check("a running job has no delete button", len(driver.find_elements(By.ID, "delete-job")) == 0)
    open_page(driver, f"/ui/jobs/{job_id}")
    check("job page shows dlq", text(driver, "#job-status") == "dlq", text(driver, "#job-status"))
    click_by(driver, By.ID, "delete-job")
    check("back on the dlq tab", "status=dlq" in driver.current_url, driver.current_url)
    check("notice says deleted", "deleted" in text(driver, "#notice"), text(driver, "#notice"))
    check("the job is gone from the list", len(driver.find_elements(By.CSS_SELECTOR, f"tr[data-job-id='{job_id}']")) == 0)
    check("the API no longer has the job", job_gone(job_id))
    check("the running job is still there", job_status(running) == "processing", job_status(running))


def scenario_runnow(driver):
    job_id = submit({"type": "demo.noop", "queue": "run-q", "delay": "1h"})
    other = submit({"type": "demo.noop", "queue": "run-q", "delay": "1h"})
    open_page(driver, f"/ui/jobs/{job_id}")
    check("job page shows scheduled", text(driver, "#job-status") == "scheduled", text(driver, "#job-status"))
    shot(driver, "job-scheduled")
    click_by(driver, By.ID, "run-job")
    check("notice says due now", "due now" in text(driver, "#notice"), text(driver, "#notice"))
    wait("the job to run once due", lambda: job_status(job_id) == "done")
    check("the job ran", job_status(job_id) == "done")
    check("the other scheduled job still waits", job_status(other) == "scheduled", job_status(other))
    open_page(driver, f"/ui/jobs/{job_id}")
    check("a done job has no run-now button", len(driver.find_elements(By.ID, "run-job")) == 0)


def scenario_bulkdelete(driver):
    a = [dead_job("bulkdel-a") for _ in range(3)]
    b = [dead_job("bulkdel-b") for _ in range(2)]
    open_page(driver, "/ui/jobs?status=dlq")
    check("bulk delete offered on a status tab", len(driver.find_elements(By.ID, "bulk-delete")) == 1)
    open_page(driver, "/ui/jobs")
    check("no bulk delete on the unfiltered list", len(driver.find_elements(By.ID, "bulk-delete")) == 0)
    open_page(driver, "/ui/jobs?status=dlq&queue=bulkdel-a")
    check("filtered DLQ shows 3", len(driver.find_elements(By.CSS_SELECTOR, "tr[data-job-id]")) == 3)
    click_by(driver, By.ID, "bulk-delete")
    check("confirmation counts 3 matches", text(driver, "#bulk-count") == "3", text(driver, "#bulk-count"))
    check("confirmation counts 3 to delete", text(driver, "#bulk-applicable") == "3", text(driver, "#bulk-applicable"))
    check("nothing deleted before confirming", not any(job_gone(j) for j in a))
    shot(driver, "bulk-delete-confirm")
    click_by(driver, By.ID, "bulk-confirm")
    check("notice reports 3 deleted", "Deleted 3 jobs; skipped 0" in text(driver, "#notice"), text(driver, "#notice"))
    check("matching jobs gone", all(job_gone(j) for j in a), [job_gone(j) for j in a])
    check("other jobs still dlq", all(job_status(j) == "dlq" for j in b), [job_status(j) for j in b])


def scenario_xss(driver):
    job_id = submit({"type": "demo.noop", "queue": "xss", "delay": "1h", "payload": {"html": "<script>alert(1)</script>", "img": "<img src=x onerror=alert(2)>"}})
    open_page(driver, f"/ui/jobs/{job_id}")
    time.sleep(1)
    check("no alert opened", no_alert(driver))
    payload = text(driver, "#job-payload")
    check("payload shown as text", "<script>alert(1)</script>" in payload and "<img src=x onerror=alert(2)>" in payload, payload)
    check("no injected elements", len(driver.find_elements(By.CSS_SELECTOR, "main script, main img")) == 0)
    open_page(driver, "/ui/jobs?queue=xss")
    check("no alert on the list", no_alert(driver))


def scenario_nojs(driver):
    job_id = dead_job("nojs")
    api("POST", "/queues/nojs/pause")
    open_page(driver, f"/ui/jobs/{job_id}")
    time.sleep(6)  # longer than the refresh interval: with scripts off nothing refreshes
    check("JavaScript is off", driver.find_element(By.TAG_NAME, "html").get_attribute("data-refreshed") is None)
    click_by(driver, By.ID, "retry-job")
    check("retry through the plain form", text(driver, "#job-status") == "pending", text(driver, "#job-status"))
    check("API reports pending", job_status(job_id) == "pending")
    open_page(driver, "/ui/jobs?status=dlq")
    check("pages render without JavaScript", driver.find_element(By.ID, "status-tabs") is not None)


def forged_post(driver, path, fields):
    """A POST from the page's own context (same origin, with its cookies), as a forged form would send it."""
    script = """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: 'POST', credentials: 'same-origin', redirect: 'manual',
              headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: new URLSearchParams(arguments[1]).toString()})
          .then(r => done(r.status)).catch(e => done('error ' + e));
    """
    return driver.execute_async_script(script, ARGS.base + path, fields)


def login(driver, token):
    open_page(driver, "/ui")
    check("redirected to the login form", "/ui/login" in driver.current_url, driver.current_url)
    driver.find_element(By.NAME, "token").send_keys(token)
    click_by(driver, By.ID, "login-submit")
    wait("the redirect after signing in", lambda: "/ui/login" not in driver.current_url, timeout=10)
    check("signed in", "/ui/login" not in driver.current_url, driver.current_url)


def scenario_tokens(driver):
    admin, reader = ARGS.admin_token, ARGS.reader_token
    job_id = dead_job("tok", token=admin)
    api("POST", "/queues/tok/pause", token=admin)
    open_page(driver, "/ui")
    shot(driver, "login")
    open_page(driver, "/ui/login")
    driver.find_element(By.NAME, "token").send_keys("not-a-valid-token")
    click_by(driver, By.ID, "login-submit")
    check("a wrong token is refused", "not valid" in text(driver, "#error-message"))
    login(driver, reader)
    check("reader role shown", text(driver, "#viewer-role") == "reader")
    open_page(driver, f"/ui/jobs/{job_id}")
    check("reader sees the job", text(driver, "#job-status") == "dlq")
    check("reader sees no action buttons", len(driver.find_elements(By.CSS_SELECTOR, "main form button")) == 0)
    open_page(driver, "/ui/queues")
    check("reader sees no pause buttons", len(driver.find_elements(By.CSS_SELECTOR, "main form button")) == 0)
    open_page(driver, "/ui/jobs?status=dlq")
    check("reader sees no bulk retry", len(driver.find_elements(By.ID, "bulk-retry")) == 0)
    csrf = driver.find_element(By.CSS_SELECTOR, "header input[name=csrf]").get_attribute("value")
    status = forged_post(driver, f"/ui/jobs/{job_id}/retry", {"csrf": csrf})
    check("a reader's forged retry is 403", status == 403, status)
    check("job still dlq", job_status(job_id, admin) == "dlq")
    driver.delete_all_cookies()
    login(driver, admin)
    status = forged_post(driver, f"/ui/jobs/{job_id}/retry", {})
    check("an admin's POST without a CSRF token is 403", status == 403, status)
    check("job still dlq after the missing-token POST", job_status(job_id, admin) == "dlq")
    open_page(driver, f"/ui/jobs/{job_id}")
    click_by(driver, By.ID, "retry-job")
    check("admin retries through the form", text(driver, "#job-status") == "pending")


SCENARIOS = {name[len("scenario_"):]: function for name, function in globals().items() if name.startswith("scenario_")}


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--admin-token")
    parser.add_argument("--reader-token")
    parser.add_argument("--screenshots")
    ARGS = parser.parse_args()
    driver = None
    result = {"scenario": ARGS.scenario}
    try:
        driver = browser(javascript=ARGS.scenario != "nojs")
        SCENARIOS[ARGS.scenario](driver)
        result["ok"] = True
    except Exception as error:  # reported to the Swift test, which fails with it
        result["ok"] = False
        result["error"] = f"{type(error).__name__}: {error}"
        result["trace"] = traceback.format_exc()[-2000:]
        if driver is not None:
            try:
                result["url"] = driver.current_url
                result["page"] = driver.page_source[:3000]
            except Exception:
                pass
    finally:
        if driver is not None:
            driver.quit()
    result["checks"] = CHECKS
    print(json.dumps(result))
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
