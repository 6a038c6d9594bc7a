// How quickly a doppel report opens and responds in headless Chromium (Debian's chromium,
// Playwright from tests/browser/node_modules). Prints one line per step, best of --reps.
//
//   node bench/report_load.mjs REPORT.html [--reps 3]
//
// Steps: open the file until the overview is drawn; the document list sorted by reused share;
// one document; the passage list; a text search over every document (parses all text blocks).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const usage = (why) => {
  console.error(`report_load.mjs: ${why}\nusage: node bench/report_load.mjs REPORT.html [--reps 3]`);
  process.exit(2);
};
const repsAt = process.argv.indexOf('--reps');
const reps = repsAt > 0 ? Number(process.argv[repsAt + 1]) : 3;
if (!Number.isInteger(reps) || reps < 1) usage('--reps takes a whole number of runs, 1 or more');
const given = process.argv[2];
if (!given || given.startsWith('--')) usage('no report given');
const file = path.resolve(given);
if (!fs.existsSync(file)) usage(`${file}: no such file`);

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(here, '..', 'tests', 'browser', 'node_modules', 'playwright-core', 'index.mjs'));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const best = {};
const note = (step, ms) => { best[step] = Math.min(best[step] ?? Infinity, ms); };
for (let r = 0; r < reps; r++) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  let t = Date.now();
  await page.goto('file://' + file);
  await page.waitForSelector('main h1');
  note('open: overview drawn', Date.now() - t);
  const hop = async (step, hash, ready) => {
    t = Date.now();
    await page.evaluate((h) => { location.hash = h; }, hash);
    await page.waitForFunction(ready);
    note(step, Date.now() - t);
  };
  await hop('documents, sorted by reused share', '#/documents?sort=share', () => document.querySelectorAll('main tbody tr').length > 0);
  await hop('one document', '#/doc/100', () => document.getElementById('doc-text'));
  await hop('passages', '#/passages', () => document.querySelectorAll('main tbody tr').length > 0);
  await hop('text search over every document', '#/documents?text=graphics', () => /text=graphics/.test(location.hash) && document.querySelector('.pager'));
  await page.close();
}
await browser.close();
console.log(`${file} (${reps} runs, best):`);
for (const [step, ms] of Object.entries(best)) console.log(`  ${step.padEnd(36)} ${ms} ms`);
