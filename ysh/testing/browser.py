"""What every browser test shares: Debian's Chromium driven by Playwright's sync API.

A test module uses it with::

    from ysh.testing.browser import BROWSER_MARKS
    pytestmark = BROWSER_MARKS          # the ``browser`` marker, skipped without Chromium

and gets the ``browser`` (module-scoped) and ``page`` (pt-BR, 1280×900) fixtures, which the root
``conftest.py`` loads as a plugin. ``-m "not browser"`` leaves these tests out."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

# Playwright's sync API runs an event loop in the test's thread; the ORM calls made by the test
# body stay plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Screenshots a test takes for people to look at (gitignored).
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
#: The machine is shared with other work: a generous wait before a locator gives up.
PAGE_TIMEOUT_MS = 20_000

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium not installed at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django keeps this thread's connections per context, not
        # per thread: close them now, or a PostgreSQL one stays open past the end of the session.
        connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()
