#!/usr/bin/env python3
"""Drives the audit screen of a running `auditpipe serve` in headless Chromium (Selenium): signs in with
Basic auth, filters, pages, opens details and the whole request, follows Show Document, exports CSV and
compares it byte for byte with the file `auditpipe query` wrote. Prints `ok` and exits 0 when all holds;
prints what failed and exits 1 otherwise."""
import argparse
import base64
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--filter-user", required=True, help="a user to filter the list by")
    ap.add_argument("--export-expr", required=True)
    ap.add_argument("--expected-csv", required=True)
    ap.add_argument("--downloads", required=True)
    ap.add_argument("--screenshots", default="")
    a = ap.parse_args()

    opts = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,950",
                "--disable-gpu"]:
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": a.downloads,
                                           "download.prompt_for_download": False})
    if os.path.exists("/usr/bin/chromium"):
        opts.binary_location = "/usr/bin/chromium"
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver") \
        if os.path.exists("/usr/bin/chromedriver") else webdriver.ChromeService()
    d = webdriver.Chrome(options=opts, service=service)
    wait = WebDriverWait(d, 20)
    try:
        token = base64.b64encode(f"{a.user}:{a.password}".encode()).decode()
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": "Basic " + token}})
        d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": a.downloads})

        def rows():
            return d.find_elements(By.CSS_SELECTOR, "#events tbody tr")

        def column(i):
            return d.execute_script(
                "return [...document.querySelectorAll('#events tbody tr')].map(r => r.cells[arguments[0]].textContent)",
                i)

        def settle():
            time.sleep(0.3)
            wait.until(lambda _: d.execute_script("return document.readyState") == "complete")

        # Load and sign in.
        d.get(a.url + "/")
        wait.until(lambda _: len(rows()) > 0)
        total_text = d.find_element(By.ID, "total").text
        check(" of " in total_text and "events" in total_text, f"total line: {total_text!r}")
        check(a.user in d.find_element(By.ID, "me").text, "signed-in user shown")

        # Filter by user: every row is that user's, and a reload restores the filter.
        d.find_element(By.ID, "f-user").send_keys(a.filter_user)
        d.find_element(By.ID, "apply").click()
        wait.until(lambda _: "user=" in d.current_url and len(rows()) > 0
                   and all(u == a.filter_user for u in column(1)))
        check('actor.user == "' + a.filter_user + '"' in d.find_element(By.ID, "composed").text, "composed filter")
        d.refresh()
        wait.until(lambda _: len(rows()) > 0)
        check(d.find_element(By.ID, "f-user").get_attribute("value") == a.filter_user, "filter restored on reload")
        check(all(u == a.filter_user for u in column(1)), "filtered rows after reload")

        # Page forward and back.
        first_page = column(0)
        check(d.find_element(By.ID, "next").is_enabled(), "a second page exists")
        d.find_element(By.ID, "next").click()
        wait.until(lambda _: "cursor=" in d.current_url and len(rows()) > 0 and column(0) != first_page)
        second_page = column(0)
        check(not set(first_page) & set(second_page) or second_page[0] <= first_page[-1], "pages in order")
        check(all(u == a.filter_user for u in column(1)), "second page keeps the filter")
        d.find_element(By.ID, "prev").click()
        wait.until(lambda _: "cursor=" not in d.current_url and column(0) == first_page)
        settle()
        if a.screenshots:
            d.save_screenshot(os.path.join(a.screenshots, "screen-list.png"))

        # Details of the first event, then its whole request.
        # The first event with an entity id (so it has a document to show).
        clicked = d.execute_script(
            "const r = [...document.querySelectorAll('#events tbody tr')].find(r => r.cells[3].textContent.includes(' '));"
            " if (r) r.click(); return !!r;")
        check(clicked, "an event with an entity id on the first page")
        wait.until(lambda _: d.find_element(By.ID, "details").is_displayed()
                   and '"event_id"' in d.find_element(By.ID, "d-json").text)
        check("event=" in d.current_url, "details kept in the URL")
        d.find_element(By.ID, "show-request").click()
        wait.until(lambda _: d.find_element(By.ID, "d-request").is_displayed()
                   and len(d.find_elements(By.CSS_SELECTOR, "#d-request tbody tr")) >= 1)
        settle()
        if a.screenshots:
            d.save_screenshot(os.path.join(a.screenshots, "screen-details.png"))

        # Show Document: the list of that document's events.
        doc = d.find_element(By.ID, "show-document")
        check(doc.is_displayed(), "Show Document link shown")
        d.get(doc.get_attribute("href"))
        wait.until(lambda _: "expr=" in d.current_url and len(rows()) > 0)
        check("entity.id ==" in d.find_element(By.ID, "composed").text
              or "access.document ==" in d.find_element(By.ID, "composed").text, "Show Document filter")

        # A date and time of day read in the chosen time zone: 19:00 in Tokyo is 10:00 UTC.
        d.get(a.url + "/?from=2026-11-20&fromt=19:00&tz=Asia%2FTokyo")
        wait.until(lambda _: len(rows()) > 0)
        check(Select(d.find_element(By.ID, "f-tz")).first_selected_option.text == "Asia/Tokyo", "time zone restored")
        expected_total = d.execute_script(
            "return fetch('/api/events?limit=1&since=2026-11-20T10:00:00.000Z').then(r => r.json()).then(j => j.total)")
        wait.until(lambda _: d.find_element(By.ID, "total").text.endswith(f" of {expected_total} events"))
        check(all(t >= "2026-11-20 19:00" for t in column(0)), "times shown in the chosen zone")

        # The triggers/webhooks tab lists webhook calls only; the activity tab has rows per user.
        d.get(a.url + "/")
        wait.until(lambda _: len(rows()) > 0)
        d.find_element(By.ID, "tab-webhooks").click()
        wait.until(lambda _: "tab=webhooks" in d.current_url and len(rows()) > 0
                   and set(column(6)) == {"webhook"})
        d.find_element(By.ID, "tab-activity").click()
        d.execute_script("document.getElementById('a-by').value = 'user';"
                         " document.getElementById('a-by').dispatchEvent(new Event('change'))")
        users_js = "return [...document.querySelectorAll('#activity tbody tr')].map(r => r.cells[0].textContent)"
        # The rows of the earlier grouping may still be shown for a moment: wait for the user rows.
        try:
            wait.until(lambda _: "by=user" in d.current_url and a.filter_user in d.execute_script(users_js))
        except Exception:
            pass
        users = d.execute_script(users_js)
        check(a.filter_user in users, "activity has a row for the filtered user (rows: %s)" % users[:8])

        # Export CSV of a filtered set: byte for byte what `auditpipe query` wrote.
        d.get(a.url + "/?expr=" + quote(a.export_expr))
        wait.until(lambda _: len(rows()) > 0 and d.find_element(By.ID, "export-csv").is_displayed())
        before = set(os.listdir(a.downloads))
        d.find_element(By.ID, "export-csv").click()
        deadline = time.time() + 20
        got = None
        while time.time() < deadline:
            new = [f for f in set(os.listdir(a.downloads)) - before if not f.endswith(".crdownload")]
            if new:
                got = os.path.join(a.downloads, new[0])
                break
            time.sleep(0.2)
        check(got is not None, "a CSV was downloaded")
        time.sleep(0.3)
        with open(got, "rb") as f, open(a.expected_csv, "rb") as g:
            check(f.read() == g.read(), "downloaded CSV equals auditpipe query's")
        print("ok")
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        try:
            print(d.current_url, file=sys.stderr)
        except Exception:
            pass
        sys.exit(1)
    finally:
        d.quit()


def quote(s):
    from urllib.parse import quote as q
    return q(s, safe="")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


if __name__ == "__main__":
    main()
