// Assembles the unpacked extension from extension/, the wasm-bindgen output and the site
// adapters (as printed by `calmly sites`), for Chromium and Firefox.
//   node tools/package-extension.mjs <pkg-dir> <sites.json> <dist-dir>
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [pkgDir, sitesJson, dist] = process.argv.slice(2);
if (!dist) {
  console.error("usage: package-extension.mjs <pkg-dir> <sites.json> <dist-dir>");
  process.exit(2);
}
const { sites } = JSON.parse(readFileSync(sitesJson, "utf8"));

// Content-script match patterns from the adapters' hosts: "*://*.host/*" also matches
// the bare host; an entry with a path ("google.com/maps") gives "*://*.google.com/maps*".
const matches = [...new Set(sites.flatMap((s) => s.hosts.map((h) => (h.includes("/") ? `*://*.${h}*` : `*://*.${h}/*`))))].sort();

for (const browser of ["chromium", "firefox"]) {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync("extension", out, { recursive: true });
  const manifest = JSON.parse(readFileSync("extension/manifest.json", "utf8"));
  manifest.content_scripts[0].matches = matches;
  // The same sidebar as a browser panel: Chrome's side panel, Firefox's sidebar. Each
  // browser gets only the keys it reads (web-ext lint warns that Firefox ignores
  // background.service_worker; Chrome does not know browser_specific_settings).
  if (browser === "chromium") {
    manifest.permissions.push("sidePanel");
    manifest.side_panel = { default_path: "sidebar.html?panel" };
    delete manifest.background.scripts;
    delete manifest.browser_specific_settings;
  } else {
    manifest.sidebar_action = { default_panel: "sidebar.html?panel", default_title: "__MSG_extName__", default_icon: "icons/48.png", open_at_install: false };
    delete manifest.background.service_worker;
  }
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(
    join(out, "sites.js"),
    "// Generated from data/sites/*.toml by tools/package-extension.mjs. Do not edit.\n" +
      `globalThis.CALMLY_SITES = ${JSON.stringify(sites)};\n`,
  );
  mkdirSync(join(out, "pkg"), { recursive: true });
  for (const f of ["calmly.js", "calmly_bg.wasm", "calmly_store.js", "calmly_store_bg.wasm"]) cpSync(join(pkgDir, f), join(out, "pkg", f));
}
console.log(`extension: ${sites.length} site adapters, ${matches.length} host patterns`);
