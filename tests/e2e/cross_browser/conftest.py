"""The cross-browser journey's engines: Chromium, Firefox ESR and WebKit, each from Debian's packages."""

import pytest

from .engines import Chromium, Firefox, WebKit

ENGINES = ("chromium", "firefox", "webkit")


@pytest.fixture(params=ENGINES)
def engine(request, live_server):
    name = request.param
    if name == "chromium":
        driver = Chromium(live_server.url, request.getfixturevalue("browser"))
    elif name == "firefox":
        driver = Firefox(live_server.url)
    else:
        driver = WebKit(live_server.url)
    yield driver
    failed = getattr(request.node, "report_call", None)
    try:
        if failed is not None and failed.failed:
            driver.screenshot(f"failed-{request.node.originalname}")
    finally:
        driver.close()
