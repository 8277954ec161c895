"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live_server.

They skip with a message where /usr/bin/chromium is missing (install it with
`apt-get install -y chromium fonts-wqy-microhei`; scripts/test does that when run as root).
"""

import os
import shutil

import pytest

from sellerdesk.testing.receiver import receiver  # noqa: F401  (webhook journeys: a real local HTTP receiver)

# Playwright's sync API runs an asyncio event loop in this thread; Django's ORM refuses to run
# "inside" one unless told it is safe (it is: the loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PC = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def missing_browser() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return (
            "Debian chromium is not installed at /usr/bin/chromium: run "
            "`apt-get install -y chromium fonts-wqy-microhei` (needs root); CI must run these tests."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[test]'."
    return ""


@pytest.fixture
def chromium():
    """One chromium per test (a session-wide one would clash with other files' Playwright loops)."""
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def login(chromium, live_server):
    """login(user, password, viewport=PC) -> a Page logged in through the login form, in Chinese."""
    contexts = []

    def _login(username: str, password: str, viewport=PC, start: str = "/"):
        ctx = chromium.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"/login/?next={start}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    yield _login
    for ctx in contexts:
        ctx.close()
