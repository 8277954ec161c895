"""Helpers for journeys on a phone (issue 12): a phone's browser as the server sees it, and the
check that a page does not scroll sideways.

`login` (conftest.py) at PHONE keeps a desktop User-Agent, so the server treats it as a narrow PC
window; `phone_login` is a phone: an Android Chrome User-Agent, which makes chromium send
`Sec-CH-UA-Mobile: ?1` as a real phone does (identity.devices.is_phone).
"""

import pytest

from .conftest import PHONE

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def phone_login(chromium, live_server):
    """phone_login(user, password, start="/") -> a Page on a 390×844 phone, logged in through the form."""
    contexts = []

    def _login(username: str, password: str, start: str = "/"):
        ctx = chromium.new_context(
            viewport=PHONE,
            user_agent=PHONE_UA,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"/login/?next={start}" if start != "/" else "/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    yield _login
    for ctx in contexts:
        ctx.close()


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
