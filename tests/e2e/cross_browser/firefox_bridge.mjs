// Firefox ESR for the cross-browser journey: puppeteer-core speaks WebDriver BiDi to Debian's
// firefox-esr (no geckodriver, no browser download). The Python test sends one JSON command a line
// on stdin and reads one JSON answer a line on stdout: {"ok": value} or {"error": "message"}.
//
//   node firefox_bridge.mjs /usr/bin/firefox-esr
//
// Why puppeteer-core: it is maintained by the Chrome team, speaks WebDriver BiDi to Firefox by default
// (Firefox's own remote agent, so no geckodriver, which Debian does not package), and installs from npm
// without downloading a browser. Selenium cannot start Firefox without geckodriver, Playwright's
// Firefox needs its own patched build, and no maintained Python client starts a BiDi-only session.
import puppeteer from "puppeteer-core";
import readline from "node:readline";

const executablePath = process.argv[2] || "/usr/bin/firefox-esr";

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath,
  headless: true,
  defaultViewport: { width: 1280, height: 900 },
  extraPrefsFirefox: {
    // Nothing leaves the machine: all but loopback goes to a dead local proxy.
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.no_proxies_on": "localhost,127.0.0.1",
    "network.proxy.allow_hijacking_localhost": false,
    "network.dns.disableIPv6": true,
    // No DNS lookups either (Firefox resolves its settings service's name even offline): every name is
    // loopback. Checked with strace -f -e trace=connect: only 127.0.0.1 is contacted.
    "network.dns.native-is-localhost": true,
    "network.connectivity-service.enabled": false,
    "network.captive-portal-service.enabled": false,
    "app.update.enabled": false,
    "browser.safebrowsing.malware.enabled": false,
    "browser.safebrowsing.phishing.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.enabled": false,
    "services.settings.server": "http://127.0.0.1:9/",
    "intl.accept_languages": "en-US, en",
  },
});
const page = await browser.newPage();
page.setDefaultTimeout(10_000);

async function element(selector) {
  return page.waitForSelector(selector, { visible: true });
}

const commands = {
  version: async () => browser.version(),
  goto: async ({ url }) => {
    await page.goto(url);
    return null;
  },
  js: async ({ expression }) => page.evaluate(expression),
  fill: async ({ selector, text }) => {
    const handle = await element(selector);
    await handle.evaluate((el) => { el.value = ""; });
    await handle.type(text);
    return null;
  },
  select: async ({ selector, value }) => {
    await element(selector);
    await page.select(selector, value);
    return null;
  },
  click: async ({ selector }) => {
    const handle = await element(selector);
    await handle.click();
    return null;
  },
  upload: async ({ selector, path }) => {
    const handle = await page.waitForSelector(selector);
    await handle.uploadFile(path);
    return null;
  },
  screenshot: async ({ path }) => {
    await page.screenshot({ path, fullPage: true });
    return null;
  },
  close: async () => {
    await browser.close();
    return null;
  },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { cmd, ...args } = JSON.parse(line);
  let answer;
  try {
    answer = { ok: (await commands[cmd](args)) ?? null };
  } catch (error) {
    answer = { error: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
  if (cmd === "close") break;
}
await browser.close().catch(() => {});
process.exit(0);
