// The HTML report in a real browser: Debian's headless Chromium driven by Playwright.
//
//   node tests/browser/report_test.mjs --doppel BUILD/doppel --source REPO --out DIR
//
// Exits 77 (ctest: skipped) with a message when Chromium or playwright-core is missing; the
// seeds test is skipped, visibly, when ../shared is absent. Screenshots go to DIR/screenshots.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(args.source || path.join(here, '..', '..'));
const doppel = path.resolve(args.doppel || path.join(source, 'build', 'release', 'doppel'));
const out = path.resolve(args.out || path.join(source, 'build', 'browser-test'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const seeds = path.resolve(source, '..', 'shared', 'corpora', 'seeds');

function skipAll(why) {
  console.log(`[  SKIPPED ] browser tests: ${why}`);
  process.exit(77);
}
if (!fs.existsSync(chromiumPath)) skipAll(`Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
let chromium;
try {
  ({ chromium } = await import(path.join(here, 'node_modules', 'playwright-core', 'index.mjs')));
} catch {
  skipAll('playwright-core is not installed (npm ci --prefix tests/browser; scripts/setup.sh does it)');
}
if (!fs.existsSync(doppel)) throw new Error(`doppel binary not found: ${doppel}`);
fs.mkdirSync(path.join(out, 'screenshots'), { recursive: true });

const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
after(() => browser.close());

function run(...argv) {
  return execFileSync(doppel, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function readJsonl(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
const codePoints = (text, begin, end) => Array.from(text).slice(begin, end).join('');

// A page that fails the test on any script error, console error or dialog (alert() would be an
// injected script running).
async function openPage(file, viewport = { width: 1366, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto('file://' + file);
  await page.waitForSelector('main h1');
  return { page, errors };
}
async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => location.hash.split('?')[0] === h.split('?')[0] && document.querySelector('main h1'), hash);
}
async function shot(page, name) {
  await page.screenshot({ path: path.join(out, 'screenshots', name + '.png') });
}
// The highlighted spans of the document page now shown: [begin, end, passage, text].
function marks(page) {
  return page.$$eval('#doc-text mark', (ms) => ms.map((m) => [Number(m.dataset.begin), Number(m.dataset.end), Number(m.dataset.passage), m.textContent]));
}

test('seeds: one background passage over all five articles, 2021-10-01 its source, spans as in the JSON output', async (t) => {
  if (!fs.existsSync(seeds)) {
    t.skip(`../shared/corpora/seeds not found at ${seeds}`);
    console.log('[  SKIPPED ] seeds report: ../shared is absent');
    return;
  }
  const html = path.join(out, 'seeds.html');
  // Blocks of two documents: the texts come from three blocks (0-1, 2-3, 4), as text_blocks says.
  run('report', seeds, '-o', html, '--title', 'Seeds', '--block-docs', '2', '-q');
  const docsJson = path.join(out, 'seeds-documents.jsonl');
  const clustersJson = path.join(out, 'seeds-clusters.jsonl');
  run('reuse', seeds, '--documents', docsJson, '--clusters', clustersJson, '-q');
  const expected = readJsonl(docsJson);
  const clusters = readJsonl(clustersJson);
  assert.equal(clusters.length, 1, 'the reuse run finds one cluster');

  for (const viewport of [{ width: 1366, height: 800, tag: 'laptop' }, { width: 390, height: 844, tag: 'narrow' }]) {
    const { page, errors } = await openPage(html, viewport);
    await shot(page, `seeds-overview-${viewport.tag}`);
    const cards = await page.$$eval('.card', (cs) => Object.fromEntries(cs.map((c) => [c.querySelector('.label').textContent, c.querySelector('.value').textContent])));
    assert.equal(cards['documents read'], '5');
    assert.equal(cards['shared passages'], '1');

    // Ids from the corpus are isolated for bidirectional text: a right-to-left override in one
    // reorders nothing around it.
    assert.equal(await page.$eval('a[href^="#/doc/"]', (a) => getComputedStyle(a).unicodeBidi), 'isolate');
    // Follow the cluster from the overview's table.
    await page.click('table a[href="#/passage/0"]');
    await page.waitForSelector('.occ-card');
    await shot(page, `seeds-passage-${viewport.tag}`);
    const sub = await page.textContent('main .sub');
    assert.match(sub, /5 documents/);
    assert.match(sub, /\(2021-10-01\)/);
    const cardsInfo = await page.$$eval('.occ-card', (cs) => cs.map((c) => ({
      source: c.classList.contains('is-source'), date: c.querySelector('.occ-head .muted')?.textContent, doc: c.querySelector('.occ-head a').getAttribute('href'),
    })));
    assert.equal(cardsInfo.length, clusters[0].members.length);
    assert.equal(clusters[0].documents, 5);
    assert.equal(cardsInfo.filter((c) => c.source).length >= 1, true);
    assert.ok(cardsInfo.filter((c) => c.source).every((c) => c.date === '2021-10-01'), 'only the 2021-10-01 article is marked as source');
    assert.ok(cardsInfo[0].source, 'the source comes first');
    const sourceId = clusters[0].source;
    assert.equal(await page.textContent('.occ-card.is-source .occ-head a'), sourceId);

    // Every document: the highlighted spans are the JSON output's spans, and their text is the
    // text at those code-point offsets of the article file.
    const files = fs.readdirSync(seeds).filter((f) => f.endsWith('.txt')).sort();
    for (let d = 0; d < expected.length; d++) {
      await go(page, `#/doc/${d}`);
      assert.equal(await page.textContent('main h1'), expected[d].id);
      const text = fs.readFileSync(path.join(seeds, files[d]), 'utf8');
      assert.equal(await page.textContent('#doc-text'), text, 'the whole article, exactly');
      const got = await marks(page);
      assert.deepEqual(got.map(([b, e, c]) => [b, e, c]), expected[d].spans.map((s) => [s.begin, s.end, s.cluster]), `spans of ${expected[d].id}`);
      for (const [b, e, , t2] of got) assert.equal(t2, codePoints(text, b, e));
      // What is new: the unhighlighted text is the article's own news.
      const newText = await page.$$eval('#doc-text', (ns) => Array.from(ns[0].childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join(''));
      assert.ok(newText.length > 100, 'each article keeps its own news unhighlighted');
      if (d === 0) await shot(page, `seeds-document-${viewport.tag}`);
    }
    // "Show only what is new" hides the shared passage.
    await page.check('text=Show only what is new');
    assert.equal(await page.isVisible('#doc-text mark'), false);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('no script injection: text, ids, dates and the title are shown as text', async () => {
  const shared = 'The council said <script>window.__pwned = "text"; alert(1)</script> that the harbour &amp; the bridge &lt;b&gt; ' +
    'would reopen </script><img src=x onerror="window.__pwned=\'img\'"> on Monday after repairs to the old stone pier ' +
    'were finished by the crews who worked all night long in the rain and the wind';
  const docs = [
    { id: '<img src=x onerror="window.__pwned=\'id\'">', date: '2021-01-05', text: 'First report. ' + shared + ' More in the <b>evening</b> edition.' },
    { id: 'plain-2', date: '2021-02-01</script><script>window.__pwned="date"</script>', text: 'Second story &lt;script&gt; here. ' + shared + ' End &#x3C;script&#x3E;.' },
    { id: 'copy-3', text: 'First report. ' + shared + ' More in the <b>evening</b> edition.' },
    { id: 'emoji-4', text: 'Emoji \u{1F600} before: ' + shared + ' after \u{1F600} done.' },
  ];
  const corpus = path.join(out, 'hostile.jsonl');
  fs.writeFileSync(corpus, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const html = path.join(out, 'hostile.html');
  run('report', corpus, '-o', html, '--title', '<script>window.__pwned="title"</script>', '-q');
  const raw = fs.readFileSync(html, 'utf8');
  assert.equal((raw.match(/<script/gi) || []).length, 3, 'the data block, one text block and the report script: no other <script in the file');

  const { page, errors } = await openPage(html);
  const views = ['#/', '#/documents', '#/documents?text=script', '#/passages', '#/passage/0', '#/duplicates', '#/duplicate/0',
    '#/doc/0', '#/doc/1', '#/doc/2', '#/doc/3'];
  for (const v of views) {
    await go(page, v);
    await page.waitForTimeout(50);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, `injected script ran on ${v}`);
    assert.equal(await page.$$eval('main img', (x) => x.length), 0, `an <img> from the text on ${v}`);
    if (v.startsWith('#/doc/')) {
      const d = Number(v.slice(6));
      assert.equal(await page.textContent('#doc-text'), docs[d].text, 'the text is shown exactly, markup as text');
      const got = await marks(page);
      assert.ok(got.length >= 1, `document ${d} has its shared passage highlighted`);
      for (const [b, e, , t2] of got) assert.equal(t2, codePoints(docs[d].text, b, e), 'code-point offsets outside the BMP');
    }
  }
  await go(page, '#/doc/0');
  assert.equal(await page.textContent('main h1'), docs[0].id);
  assert.equal(await page.title(), '<script>window.__pwned="title"</script>');
  await shot(page, 'hostile-document');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('overview: each of the largest passages has a colour of its own, the same in the table and the chart', async () => {
  // Nine passages, shared by 2 to 10 documents dated over a year: the chart's five and the
  // table's ten are the largest. (Colours by passage number alone repeated one among five
  // passages most of the time, and the chart used colours of its own, unlike the table's.)
  const word = (seed) => { let x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0; x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0; return 'w' + ((x ^ (x >>> 16)) >>> 0).toString(36); };
  const words = (seed, n) => Array.from({ length: n }, (_, i) => word(seed * 1000 + i)).join(' ');
  const lines = [];
  let id = 0;
  for (let p = 0; p < 9; p++) {
    const passage = words(100000 + p, 40);
    for (let k = 0; k < 2 + p; k++, id++) {
      const month = String(1 + (id % 12)).padStart(2, '0');
      lines.push(JSON.stringify({ id: 'd' + id, date: `2021-${month}-15`, text: `${words(id + 1, 30)}. ${passage}. ${words(id + 5000, 30)}` }));
    }
  }
  const corpus = path.join(out, 'colours.jsonl');
  fs.writeFileSync(corpus, lines.join('\n') + '\n');
  const html = path.join(out, 'colours.html');
  run('report', corpus, '-o', html, '-q');
  const { page, errors } = await openPage(html);
  const table = await page.$$eval('table tbody tr', (rows) => rows.map((r) => [r.querySelector('a[href^="#/passage/"]').getAttribute('href'), getComputedStyle(r.querySelector('.swatch')).backgroundColor]));
  assert.equal(table.length, 9);
  const legend = await page.$$eval('.chart .legend > span', (items) => items.map((i) => [i.querySelector('a').getAttribute('href'), getComputedStyle(i.querySelector('.swatch')).backgroundColor]));
  const bars = await page.$$eval('.chart svg rect', (rects) => rects.map((r) => [r.querySelector('title').textContent.split(':')[0], getComputedStyle(r).fill]));
  assert.equal(legend.length, 5);
  const inTable = new Map(table);
  for (const [href, colour] of legend) assert.equal(colour, inTable.get(href), `${href}: the chart's colour is the table's`);
  assert.equal(new Set(legend.map((l) => l[1])).size, 5, 'five colours for the chart\'s five passages');
  assert.equal(new Set(table.slice(0, 8).map((t) => t[1])).size, 8, 'eight colours for the eight largest');
  assert.ok(bars.length >= 5);
  for (const [title, fill] of bars) assert.equal(fill, inTable.get('#/passage/' + title.replace('passage #', '')), `${title}: bar colour`);
  assert.deepEqual(errors, []);
  await page.close();
});

// Writes `docs` as a corpus named `name`, reports it and checks passage 0's page: `cards`
// occurrences, and the words marked as edited in them are `edits` (none by default).
async function expectEditsMarked(name, docs, cards, edits = []) {
  const corpus = path.join(out, name + '.jsonl');
  fs.writeFileSync(corpus, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const html = path.join(out, name + '.html');
  run('report', corpus, '-o', html, '-q');
  const { page, errors } = await openPage(html);
  await go(page, '#/passage/0');
  await page.waitForSelector('.occ-card');
  assert.equal(await page.$$eval('.occ-card', (c) => c.length), cards);
  assert.deepEqual(await page.$$eval('.occ-card .edit', (e) => e.map((x) => x.textContent)), edits, 'the words marked as edited');
  assert.deepEqual(errors, []);
  await page.close();
}

test('passage page: a copy typed with combining accents (NFD) or in capitals is not marked as edited', async () => {
  const passage = 'José Martínez said the São Paulo office in Zürich would reopen its Straße branch on Monday after the flood waters receded across the valley and the roads were cleared by crews';
  await expectEditsMarked('accents', [
    { id: 'nfc', date: '2021-01-01', text: 'Morning report. ' + passage + '. Other news follows here.' },
    { id: 'nfd', date: '2021-01-02', text: 'Evening report. ' + passage.normalize('NFD') + '. Weather follows.' },
    { id: 'caps', date: '2021-01-03', text: 'Night desk. ' + passage.toUpperCase() + '. Sport follows.' },
  ], 3);
});

test('passage page: a copy whose words are separated by zero-width spaces is not marked as edited', async () => {
  const passage = 'the harbour authority said the new ferry timetable would start on Monday with two extra crossings each evening and a later last boat on Fridays';
  await expectEditsMarked('zwsp', [
    { id: 'spaced', date: '2021-01-01', text: 'Morning report. ' + passage + '. Other news follows here.' },
    { id: 'zwsp', date: '2021-01-02', text: 'Evening report. ' + passage.split(' ').join('\u200B') + '. Weather follows.' },
  ], 2);
});

test('passage page: in Chinese text, the one character a copy changed is marked, not its clause', async () => {
  // Each Han letter is a word to doppel; split at spaces only, the whole clause around the
  // changed character was one "word" and was marked.
  const passage = '北京时间周三上午，国家统计局发布了最新的经济数据，显示今年第三季度国内生产总值同比增长百分之四点九，' +
    '略低于市场此前的普遍预期。分析人士认为，房地产市场持续低迷以及外部需求疲软，是拖累经济增长的主要因素。';
  const docs = [
    { id: 'first', date: '2023-10-18', text: '本报记者从上海报道。股市周三小幅收高。' + passage + '上海证券交易所的成交量有所减少。' },
    { id: 'copy', date: '2023-10-19', text: '新华社广州电：广东省出口总额创下新高。' + passage.replace('四点九', '五点九') + '业内人士预计出口仍将面临压力。' },
  ];
  await expectEditsMarked('chinese', docs, 2, ['五']);
});

test('passage page: in Thai text, the one word a copy changed is marked, not its clause', async () => {
  // doppel cuts Thai into dictionary words (ICU), and so does the page (Intl.Segmenter); split at
  // spaces only, the whole clause around the changed number was one "word" and was marked.
  const passage = 'นายกรัฐมนตรีกล่าวในการประชุมคณะรัฐมนตรีเมื่อวันอังคารว่ารัฐบาลจะเพิ่มงบประมาณสำหรับการศึกษาและการสาธารณสุขในปีหน้า ' +
    'โดยเน้นที่พื้นที่ชนบทซึ่งยังขาดแคลนโรงเรียนและโรงพยาบาล กระทรวงการคลังคาดว่าเศรษฐกิจจะขยายตัวราวร้อยละสามในปีนี้';
  const docs = [
    { id: 'first', date: '2024-01-01', text: 'ฝนตกหนักในภาคเหนือเมื่อวันจันทร์ ' + passage + ' ตลาดหลักทรัพย์ปิดตลาดในแดนบวก' },
    { id: 'copy', date: '2024-01-02', text: 'เจ้าหน้าที่เร่งอพยพประชาชนไปยังพื้นที่ปลอดภัย ' + passage.replace('สาม', 'สี่') + ' นักลงทุนต่างชาติกลับมาซื้อสุทธิ' },
  ];
  await expectEditsMarked('thai', docs, 2, ['สี่']);
});

test('passage page: a Japanese copy typed with separate voicing marks (NFD) is not marked as edited', async () => {
  // が typed as か + U+3099 is one word to doppel; split before the mark, the words around it
  // were marked as edits.
  const passage = '東京証券取引所では水曜日、データベースが壊れたため、午前の取引が一時停止されたと関係者が明らかにした。' +
    '復旧作業は午後まで続き、投資家からは説明を求める声が上がった。';
  await expectEditsMarked('japanese-nfd', [
    { id: 'nfc', date: '2021-01-01', text: '共同通信によると、' + passage + '詳細は後ほど。' },
    { id: 'nfd', date: '2021-01-02', text: '時事通信：' + passage.normalize('NFD') + '以上。' },
  ], 2);
});

test('example corpus: every view renders; search, filters, sorting and pages work', async () => {
  const html = path.join(out, 'news.html');
  run('report', path.join(source, 'examples', 'news'), '-o', html, '-q');
  const { page, errors } = await openPage(html);
  const n = Number(await page.$eval('.card .value', (v) => v.textContent.replace(/,/g, '')));
  assert.ok(n >= 10);
  await go(page, '#/documents');
  assert.equal(await page.$$eval('main tbody tr', (r) => r.length), n);
  await page.fill('input[name=id]', 'ferry');
  await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length === 2);
  assert.match(page.url(), /id=ferry/);
  await page.fill('input[name=id]', '');
  await page.fill('input[name=text]', 'lighthouse');
  await page.waitForFunction(() => /text=lighthouse/.test(location.hash));
  const ids = await page.$$eval('main tbody td.id', (tds) => tds.map((t) => t.textContent));
  // Only that article has the word in its text (its id has it too, but the filter is on text).
  assert.deepEqual(ids, ['08-lighthouse-museum.txt'], `text search finds only the lighthouse article: ${ids}`);
  await page.fill('input[name=text]', '');
  await page.selectOption('select[name=sort]', 'size');
  await page.waitForFunction(() => /sort=size/.test(location.hash));
  const sizes = await page.$$eval('main tbody td.num:nth-child(3)', (tds) => tds.map((t) => Number(t.textContent.replace(/,/g, ''))));
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  for (const v of ['#/passages', '#/passage/0', '#/duplicates', '#/duplicate/0']) {
    await go(page, v);
  }
  await shot(page, 'news-duplicate');
  assert.equal(await page.$$eval('.side-by-side .text', (x) => x.length), 2);
  if (await page.$$eval('.badge.near', (x) => x.length) > 0) {
    assert.ok(await page.$$eval('ins.diff, del.diff', (x) => x.length) > 0, 'near duplicates show their differences');
  }
  assert.deepEqual(errors, []);
  await page.close();
});
