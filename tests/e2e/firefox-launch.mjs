// Firefox ESR for the e2e tests (puppeteer-core over WebDriver BiDi), behind a dead-end
// proxy: anything the browser or the extension sends past the tests' own interception is
// refused there and recorded. Shared by firefox.mjs and hostile-firefox.mjs.
import puppeteer from "puppeteer-core";
import { deadEndProxy } from "./dead-end-proxy.mjs";

/** Firefox's own traffic (updates, telemetry endpoints, the proxy probe), not ours. */
export const browserInternal = (entry) => {
  let host = "";
  try {
    host = entry.includes("://") ? new URL(entry.split(" ")[0]).hostname : entry.split(":")[0];
  } catch {}
  return host === "dummy.test" || /(^|\.)(mozilla\.(com|net|org)|firefox\.com|mozaws\.net|mozgcp\.net)$/.test(host);
};

/** Starts the proxy and Firefox: `{ browser, escaped, proxy }` (escaped: what reached the proxy). */
export async function launchFirefox() {
  const proxy = await deadEndProxy();
  const port = proxy.port;
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    defaultViewport: { width: 1280, height: 900 },
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: "1" },
    extraPrefsFirefox: {
      "network.proxy.type": 1,
      "network.proxy.http": "127.0.0.1",
      "network.proxy.http_port": port,
      "network.proxy.ssl": "127.0.0.1",
      "network.proxy.ssl_port": port,
      "network.proxy.share_proxy_settings": true,
      "network.proxy.no_proxies_on": "",
      "network.proxy.allow_hijacking_localhost": true,
      "network.dns.disablePrefetch": true,
      "network.trr.mode": 5,
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
      "dom.push.connection.enabled": false,
      "browser.region.network.url": "",
      "geo.provider.network.url": "",
      "extensions.systemAddon.update.enabled": false,
      "app.normandy.enabled": false,
      "toolkit.telemetry.server": "",
    },
  });
  return { browser, escaped: proxy.hits, proxy };
}
