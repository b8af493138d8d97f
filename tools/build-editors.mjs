// Bundles the editor test pages' entry scripts (tests/fixtures/editors/*.js|jsx) with
// esbuild, one self-contained IIFE per editor, into target/editors/ (not committed).
// tests/e2e/editors.mjs serves them at the test pages' own origin.
//   node tools/build-editors.mjs
import { readdirSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "tests/fixtures/editors");
const OUT = join(ROOT, "target/editors");
mkdirSync(OUT, { recursive: true });

const entries = readdirSync(SRC).filter((f) => /\.(js|jsx)$/.test(f));
const t0 = Date.now();
await build({
  absWorkingDir: ROOT,
  entryPoints: entries.map((f) => join(SRC, f)),
  outdir: OUT,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "chrome110",
  minify: false,
  sourcemap: false,
  jsx: "automatic",
  // Editors' own stylesheets are imported as text and put in a <style> by the entry.
  loader: { ".css": "text" },
  // Draft.js (via fbjs) and React read these at run time.
  define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
  logLevel: "warning",
});
console.log(`editors: ${entries.length} bundles in ${OUT} (${Date.now() - t0} ms)`);
