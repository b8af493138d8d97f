// Static checks of the built extension (issue 7, "minimal permissions; no eval, no remote
// code; web-ext lint clean"), on dist/ as `./x build` makes it (or CALMLY_DIST=<dir>, the
// output directory of tools/package-extension.mjs):
//   1. `web-ext lint` (Mozilla's addons-linter, pinned in package.json) on the Firefox build:
//      fails on any error or warning; notices are printed.
//   2. Both manifests: only the permissions the README justifies, each one used by the code;
//      no host permissions; content scripts only on the adapters' sites; web-accessible
//      resources limited to the sidebar's files (behind use_dynamic_url in Chromium); an
//      extension-page CSP of `default-src 'self'` with nothing but 'wasm-unsafe-eval' added
//      to scripts.
//   3. Every shipped .js and .html: no eval, Function constructor, string timers, HTML sinks
//      (innerHTML, outerHTML, insertAdjacentHTML, document.write, srcdoc, DOMParser…),
//      remote URLs, inline scripts or inline handlers; and the wasm modules import nothing
//      from their glue that could run or parse code or HTML.
//   node tests/e2e/lint.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ROOT } from "./pages.mjs";

const DIST = resolve(process.env.CALMLY_DIST || join(ROOT, "dist"));
const BROWSERS = ["chromium", "firefox"];
let failures = 0;

function result(ok, name, detail) {
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}
function check(name, fn) {
  try {
    const detail = fn();
    result(true, name, detail);
  } catch (e) {
    result(false, name, e.message);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ------------------------------------------------------------------ 1. web-ext lint
check("web-ext lint dist/firefox: no error, no warning", () => {
  const bin = join(ROOT, "node_modules/.bin/web-ext");
  assert(existsSync(bin), "web-ext is not installed: npm ci");
  const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  let out;
  try {
    out = execFileSync(bin, ["lint", "--source-dir", join(DIST, "firefox"), "--output", "json", "--boring"], { encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (e) {
    out = e.stdout; // exits non-zero on errors; the JSON report is still on stdout
  }
  const report = JSON.parse(out.slice(out.indexOf("{")));
  const { errors, warnings, notices } = report.summary;
  for (const kind of ["errors", "warnings", "notices"]) {
    for (const m of report[kind]) console.log(`     ${kind.slice(0, -1)} ${m.code}: ${m.message}${m.file ? ` (${m.file}${m.line ? `:${m.line}` : ""})` : ""}`);
  }
  const counts = `web-ext ${version}: ${errors} errors, ${warnings} warnings, ${notices} notices`;
  assert(errors === 0 && warnings === 0, counts);
  return counts;
});

// ------------------------------------------------------------------ 2. manifests
/** The permissions the README's "Permissions" table justifies, and how the code uses each. */
const PERMISSIONS = {
  storage: /\b(api|chrome|browser)\.storage\.(local|session)\b|\bstorage\.local\b/,
  contextMenus: /\b(api|chrome|browser)\.contextMenus\.create\b/,
  activeTab: /\b(api|chrome|browser)\.scripting\.executeScript\b/, // what the user's click grants
  scripting: /\b(api|chrome|browser)\.scripting\.executeScript\b/,
  alarms: /\b(api|chrome|browser)\.alarms\.(create|onAlarm)\b/,
  notifications: /\b(api|chrome|browser)\.notifications\.create\b/,
};
const BROAD = /^(<all_urls>|\*:\/\/\*\/\*|https?:\/\/\*\/\*|\*:\/\/\*\/|file:\/\/\/\*)$/;
// Only the sidebar's page: what it loads itself (its script, style, wasm, strings) comes from
// its own extension origin and needs no web access.
const SIDEBAR_FILES = ["sidebar.html"];

function files(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

for (const b of BROWSERS) {
  const dir = join(DIST, b);
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  const code = files(dir, ".js").map((f) => readFileSync(f, "utf8")).join("\n");

  check(`${b} manifest: permissions are the justified ones, each used`, () => {
    const allowed = { ...PERMISSIONS, ...(b === "chromium" ? { sidePanel: null } : {}) };
    const extra = (m.permissions || []).filter((p) => !(p in allowed));
    assert(!extra.length, `unjustified permissions: ${extra.join(", ")}`);
    const unused = (m.permissions || []).filter((p) => (p === "sidePanel" ? !m.side_panel : !allowed[p].test(code)));
    assert(!unused.length, `permissions no code uses: ${unused.join(", ")}`);
    assert(!(m.optional_permissions || []).length, `optional permissions: ${m.optional_permissions}`);
    return m.permissions.join(", ");
  });

  check(`${b} manifest: no host permissions, content scripts only on the adapters' sites`, () => {
    for (const k of ["host_permissions", "optional_host_permissions"]) assert(!(m[k] || []).length, `${k}: ${m[k]}`);
    const matches = m.content_scripts.flatMap((c) => c.matches);
    const broad = matches.filter((x) => BROAD.test(x) || /^\*:\/\/\*\.\*?\//.test(x) || !/^\*:\/\/\*\.[a-z0-9.-]+\.[a-z]{2,}\//.test(x));
    assert(!broad.length, `broad content-script matches: ${broad.join(", ")}`);
    assert(!m.externally_connectable && !m.update_url, "externally_connectable or update_url");
    return `${matches.length} host patterns, ${m.content_scripts.length} content-script entry`;
  });

  check(`${b} manifest: the one web-accessible resource is the sidebar's page`, () => {
    const war = m.web_accessible_resources || [];
    for (const w of war) {
      const outside = w.resources.filter((r) => !SIDEBAR_FILES.includes(r));
      assert(!outside.length, `more than the sidebar's files: ${outside.join(", ")}`);
      if (b === "chromium" && (w.matches || []).some((x) => BROAD.test(x))) assert(w.use_dynamic_url === true, "web-accessible on every site without use_dynamic_url");
    }
    const n = war.flatMap((w) => w.resources).length;
    return `${n} file${n === 1 ? "" : "s"}, matches ${war.flatMap((w) => w.matches).join(" ")}${b === "chromium" ? ", use_dynamic_url" : ""}`;
  });

  check(`${b} manifest: extension pages' CSP is default-src 'self' plus 'wasm-unsafe-eval' for scripts`, () => {
    const csp = (m.content_security_policy && m.content_security_policy.extension_pages) || "";
    const dirs = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
    assert(JSON.stringify(dirs["default-src"]) === JSON.stringify(["'self'"]), `default-src ${dirs["default-src"]}`);
    assert(JSON.stringify(dirs["script-src"]) === JSON.stringify(["'self'", "'wasm-unsafe-eval'"]), `script-src ${dirs["script-src"]}`);
    const loose = Object.entries(dirs).filter(([, v]) => v.some((s) => !["'self'", "'none'", "'wasm-unsafe-eval'"].includes(s)));
    assert(!loose.length, `sources beyond 'self': ${loose.map(([k, v]) => `${k} ${v.join(" ")}`).join("; ")}`);
    assert(!("sandbox" in (m.content_security_policy || {})) && !m.sandbox, "sandboxed pages");
    return csp;
  });

  // ---------------------------------------------------------------- 3. code
  check(`${b}: no eval, Function constructor, string timers, HTML sinks or remote URLs in the JS`, () => {
    const RULES = [
      [/\beval\s*\(/, "eval("],
      [/\bnew\s+Function\b/, "new Function"],
      [/(?<![\w$.`'"])Function\s*\(/, "Function("],
      [/\bset(Timeout|Interval)\s*\(\s*['"`]/, "string timer"],
      [/\b(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write(ln)?\s*\(|createContextualFragment|\bsrcdoc\b|\bDOMParser\b|setHTMLUnsafe|parseHTMLUnsafe/, "HTML sink"],
      [/\bimportScripts\s*\(/, "importScripts"],
      [/\bimport\s*\(\s*['"`]https?:|from\s+['"]https?:/, "remote import"],
      [/['"`](https?|wss?):\/\//, "remote URL"],
    ];
    const hits = [];
    let n = 0;
    for (const f of files(dir, ".js")) {
      n++;
      readFileSync(f, "utf8").split("\n").forEach((line, i) => {
        const t = line.trim();
        if (t.startsWith("//") || t.startsWith("*") || t.startsWith("/*")) return; // comments
        for (const [re, what] of RULES) if (re.test(line)) hits.push(`${relative(dir, f)}:${i + 1} ${what}: ${t.slice(0, 80)}`);
      });
    }
    assert(!hits.length, hits.slice(0, 10).join("; "));
    return `${n} files`;
  });

  check(`${b}: HTML pages load only their own scripts, no inline script or handler`, () => {
    const hits = [];
    const pages = files(dir, ".html");
    for (const f of pages) {
      const html = readFileSync(f, "utf8");
      for (const s of html.match(/<script\b[^>]*>/gi) || []) if (!/\bsrc="[a-z0-9_./-]+"/i.test(s) || /src="(https?:)?\/\//i.test(s)) hits.push(`${relative(dir, f)}: ${s}`);
      if (/<script\b[^>]*>[^<\s]/i.test(html)) hits.push(`${relative(dir, f)}: inline script`);
      if (/\son[a-z]+\s*=/i.test(html)) hits.push(`${relative(dir, f)}: inline handler`);
      if (/(href|src)="(https?:)?\/\//i.test(html) || /javascript:/i.test(html)) hits.push(`${relative(dir, f)}: remote or javascript: URL`);
    }
    assert(!hits.length, hits.join("; "));
    return `${pages.length} pages`;
  });

  check(`${b}: the wasm modules import nothing that runs or parses code or HTML`, () => {
    const bad = /eval|newnoargs|new_with_args|Function_new|innerHTML|outerHTML|insertAdjacent|write(ln)?_|srcdoc|DOMParser|parseFromString|createContextualFragment|setHTML|import_|importScripts/i;
    const out = [];
    for (const f of files(dir, ".wasm")) {
      const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(f)));
      const modules = [...new Set(imports.map((i) => i.module))];
      assert(modules.every((x) => /^\.\/calmly(_store)?_bg\.js$/.test(x)), `${relative(dir, f)} imports from ${modules.join(", ")}`);
      const hits = imports.filter((i) => bad.test(i.name)).map((i) => i.name);
      assert(!hits.length, `${relative(dir, f)} imports ${hits.join(", ")}`);
      out.push(`${relative(dir, f)} ${imports.length}`);
    }
    return `imports: ${out.join(", ")}`;
  });
}

console.log(failures ? `lint: ${failures} failed` : "lint: all passed");
process.exit(failures ? 1 : 0);
