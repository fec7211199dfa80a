"""Browser tests: Playwright driving Debian's Chromium against `mepsis serve` (see tests/conftest.py).

The screenshots of each step go to ``tests/browser/screenshots/<test>/`` (git-ignored).
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).with_name("screenshots")
PASSWORD = "orchard-ladder-4417"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(request):
    """``shots(page, "what it shows")`` saves a numbered screenshot of the page in the test's folder."""
    folder = SCREENSHOTS / re.sub(r"\W+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = []

    def shot(page, name: str) -> Path:
        taken.append(name)
        path = folder / f"{len(taken):02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    shot.folder = folder
    return shot


@pytest.fixture
def state_of_one_district(mepsis_process, tmp_path):
    """One district (5621, Sturgeon Bay, CESA 7) with a school, and a recruiter, a reviewer and the
    district's MEP staff, made with the command line as a state would; gives the run function."""
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades\n"
                    "5621,Sturgeon Bay School District,,,5514100,,CESA 7,\n"
                    "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514100,551410001234,CESA 7,PK-08\n")
    run = mepsis_process
    for argv in (["orgs", "load", orgs],
                 ["users", "add", "rosa", "--role", "recruiter"],
                 ["users", "add", "jlee", "--role", "reviewer"],
                 ["users", "add", "kim", "--role", "district_staff", "--district", "5621"]):
        done = subprocess.run([sys.executable, "-m", "mepsis", *map(str, argv)], capture_output=True, text=True,
                              env={**run.env, "MEPSIS_PASSWORD": PASSWORD})
        assert done.returncode == 0, done.stderr
    return run


@pytest.fixture
def fresh_context(browser):
    """A browser context of its own (cookies, language) per user; closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(viewport={"width": 1024, "height": 1366}, **options)  # a tablet, upright
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(fresh_context, mepsis_server):
    """``sign_in(username, **context_options)``: a page of a new browser context, signed in, at home."""

    def open_as(username: str, **options):
        page = fresh_context(**options).new_page()
        page.goto(f"{mepsis_server}/login/")
        page.fill('[name="username"]', username)
        page.fill('[name="password"]', PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{mepsis_server}/")
        return page

    return open_as
