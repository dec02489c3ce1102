"""The one way browser tests start Debian's headless Chromium through selenium.

Import ``webdriver`` from here (the module is skipped where selenium is missing) and mark tests
with ``needs_chromium``.
"""
from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

import pytest

webdriver = pytest.importorskip("selenium.webdriver")

CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(not (CHROMEDRIVER and CHROMIUM),
                                    reason="needs chromium + chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-dev-shm-usage", "--window-size=1400,1800")


@contextlib.contextmanager
def chromium(*extra_flags: str) -> Iterator["webdriver.Chrome"]:
    """A headless Chromium session, closed on exit; ``extra_flags`` e.g. for a fake microphone."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + extra_flags:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
