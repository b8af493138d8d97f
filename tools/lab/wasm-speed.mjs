// The engine in wasm (the build the extension ships, target/pkg) on the lab's speed texts.
//
//   node tools/lab/wasm-speed.mjs ITEMS.json
//
// ITEMS.json is a JSON array of snapshot items ({text, title?}). Prints {"n", "seconds"}:
// the time of the analysis loop alone (instantiation and 20 warm-up analyses excluded),
// each item through `analyzePage` — what the sidebar calls.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = join(root, 'target/pkg');
const { initSync, analyzePage } = await import(join(pkg, 'calmly.js'));
initSync({ module: readFileSync(join(pkg, 'calmly_bg.wasm')) });

const items = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const snap = (item) => ({ kind: 'text', items: [{ id: '1', ...item }] });
for (const it of items.slice(0, 20)) analyzePage(snap(it), null);
const start = process.hrtime.bigint();
for (const it of items) analyzePage(snap(it), null);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ n: items.length, seconds }));
