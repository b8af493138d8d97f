// franc for the lab's language-ID table (tools/lab/src/langid.rs).
//
//   node tools/lab/franc.mjs TEXTS.json [WARMUP]
//
// TEXTS.json is a JSON array of strings. Prints {"preds": [ISO 639-3 or "und", ...],
// "seconds": S}, where S is the time of the detection loop alone (module load and the
// first WARMUP texts, run once untimed, are excluded). franc is restricted to the same
// eight languages as the other detectors.
import { readFileSync } from 'node:fs';
import { franc } from 'franc';

const ONLY = ['por', 'spa', 'pol', 'ron', 'eng', 'ita', 'fra', 'deu'];
const texts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const warmup = Number(process.argv[3] ?? 20);

for (const t of texts.slice(0, warmup)) franc(t, { only: ONLY });

const preds = new Array(texts.length);
const start = process.hrtime.bigint();
for (let i = 0; i < texts.length; i++) preds[i] = franc(texts[i], { only: ONLY });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

process.stdout.write(JSON.stringify({ preds, seconds }));
