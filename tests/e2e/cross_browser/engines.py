"""One small driver interface over the three engines, so the journey is written once.

- Chromium: Debian's /usr/bin/chromium through Playwright (the e2e suite's own browser).
- Firefox: Debian's firefox-esr over WebDriver BiDi, through puppeteer-core (firefox_bridge.mjs).
- WebKit: Debian's webkit2gtk-driver (WebKitWebDriver) through Selenium, on a private Xvfb display.

None downloads a browser or a driver. Elements are found by CSS selectors, not by their labels,
because the journey runs in Italian.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "test-results"
FIREFOX = os.environ.get("TESSERA_FIREFOX", "/usr/bin/firefox-esr")
WEBKIT_DRIVER = os.environ.get("TESSERA_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
WIDTH, HEIGHT = 1280, 900
TIMEOUT = 10.0


class Engine:
    name = ""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.shots = RESULTS / self.name
        self.shots.mkdir(parents=True, exist_ok=True)

    # Each engine implements these.
    def goto(self, path: str) -> None: raise NotImplementedError
    def js(self, expression: str) -> Any: raise NotImplementedError
    def fill(self, selector: str, text: str) -> None: raise NotImplementedError
    def select(self, selector: str, value: str) -> None: raise NotImplementedError
    def click(self, selector: str) -> None: raise NotImplementedError
    def upload(self, selector: str, path: Path) -> None: raise NotImplementedError
    def save_screenshot(self, path: Path) -> None: raise NotImplementedError
    def version(self) -> str: raise NotImplementedError
    def close(self) -> None: raise NotImplementedError

    def screenshot(self, name: str) -> Path:
        """The page once loaded: a condition met on a page still being replaced (Firefox has answered one
        with no document yet) would otherwise leave nothing to photograph."""
        self.wait("document.documentElement !== null && document.readyState === 'complete'", "the page loaded")
        path = self.shots / f"{name}.png"
        try:
            self.save_screenshot(path)
        except RuntimeError:  # caught between two documents after all: once more, on the one now shown
            time.sleep(0.5)
            self.wait("document.readyState === 'complete'", "the page loaded")
            self.save_screenshot(path)
        return path

    def wait(self, expression: str, what: str, timeout: float = TIMEOUT) -> Any:
        """Until the JavaScript ``expression`` is truthy in the page (a navigation in between is fine)."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.js(expression)
            except Exception as error:  # the page is being replaced: ask again
                last = error
            else:
                if last:
                    return last
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: waited {timeout:.0f}s for {what}; last answer {last!r}")

    def wait_text(self, selector: str, text: str) -> None:
        elements = f"[...document.querySelectorAll({json.dumps(selector)})]"
        self.wait(f"{elements}.some(e => e.textContent.includes({json.dumps(text)}))", f"{text!r} in {selector}")

    def text(self, selector: str) -> str:
        return str(self.js(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''"))

    def path(self) -> str:
        return str(self.js("location.pathname + location.search"))


class Chromium(Engine):
    name = "chromium"

    def __init__(self, base_url: str, browser: Any) -> None:
        super().__init__(base_url)
        self.context = browser.new_context(
            base_url=base_url, locale="en-US", viewport={"width": WIDTH, "height": HEIGHT}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT * 1000)
        self._version = browser.version

    def goto(self, path: str) -> None:
        self.page.goto(path)

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)

    def select(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)

    def click(self, selector: str) -> None:
        self.page.click(selector)

    def upload(self, selector: str, path: Path) -> None:
        self.page.set_input_files(selector, str(path))

    def save_screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path), full_page=True)

    def version(self) -> str:
        return str(self._version)

    def close(self) -> None:
        self.context.close()


class Firefox(Engine):
    name = "firefox"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        if not Path(FIREFOX).exists():
            raise AssertionError(f"Firefox ESR not found at {FIREFOX}; `make test` installs Debian's firefox-esr")
        if not (ROOT / "node_modules" / "puppeteer-core").is_dir():
            raise AssertionError("puppeteer-core is not installed; `make test` runs `npm ci`")
        self.process = subprocess.Popen(
            ["node", str(Path(__file__).with_name("firefox_bridge.mjs")), FIREFOX],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=os.environ | {"PUPPETEER_SKIP_DOWNLOAD": "1"},
        )

    def _send(self, cmd: str, **args: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the Firefox bridge stopped (exit code {self.process.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"firefox: {cmd}: {answer['error']}")
        return answer["ok"]

    def goto(self, path: str) -> None:
        self._send("goto", url=self.base_url + path)

    def js(self, expression: str) -> Any:
        return self._send("js", expression=expression)

    def fill(self, selector: str, text: str) -> None:
        self._send("fill", selector=selector, text=text)

    def select(self, selector: str, value: str) -> None:
        self._send("select", selector=selector, value=value)

    def click(self, selector: str) -> None:
        self._send("click", selector=selector)

    def upload(self, selector: str, path: Path) -> None:
        self._send("upload", selector=selector, path=str(path))

    def save_screenshot(self, path: Path) -> None:
        self._send("screenshot", path=str(path))

    def version(self) -> str:
        return str(self._send("version"))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing whatever state it is in
            self._send("close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WebKit(Engine):
    """WebKitGTK has no headless mode: its MiniBrowser runs on a private Xvfb display."""

    name = "webkit"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        # Selenium Manager must never run (it would try to download a driver): offline, and the path given.
        os.environ["SE_OFFLINE"] = "true"
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.service import Service

        if not Path(WEBKIT_DRIVER).exists():
            raise AssertionError(
                f"WebKitWebDriver not found at {WEBKIT_DRIVER}; `make test` installs Debian's webkit2gtk-driver"
            )
        self.xvfb, display = _start_xvfb()
        try:
            options = webdriver.WebKitGTKOptions()
            service = Service(executable_path=WEBKIT_DRIVER, env=os.environ | {"DISPLAY": display})
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        except BaseException:
            self.xvfb.kill()
            raise
        self.driver.set_window_rect(0, 0, WIDTH, HEIGHT)
        self.driver.set_page_load_timeout(TIMEOUT * 3)

    def _element(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + TIMEOUT
        while True:
            found = list(self.driver.find_elements(By.CSS_SELECTOR, selector))
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"webkit: no element {selector}")
            time.sleep(0.1)

    def goto(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def js(self, expression: str) -> Any:
        return self.driver.execute_script(f"return ({expression});")

    def fill(self, selector: str, text: str) -> None:
        element = self._element(selector)
        element.clear()
        element.send_keys(text)

    def select(self, selector: str, value: str) -> None:
        from selenium.webdriver.support.select import Select

        Select(self._element(selector)).select_by_value(value)

    def click(self, selector: str) -> None:
        self._element(selector).click()

    def upload(self, selector: str, path: Path) -> None:
        self._element(selector).send_keys(str(path))

    def save_screenshot(self, path: Path) -> None:
        # Selenium's screenshot is the viewport; the full page matters less than that it is WebKit's.
        self.driver.save_screenshot(str(path))

    def version(self) -> str:
        return str(self.driver.capabilities.get("browserVersion", ""))

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.xvfb.terminate()
            try:
                self.xvfb.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.xvfb.kill()


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb on the first free display number (it writes the number it took to a pipe)."""
    read, write = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{WIDTH}x{HEIGHT + 100}x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise AssertionError("Xvfb did not start; `make test` installs Debian's xvfb")
    return process, f":{number}"
