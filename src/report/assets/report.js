// The doppel report's script (inlined into every report; ASCII only). It renders every view from
// the JSON block #doppel-data and parses the document texts (#doppel-text-K: from document
// text_blocks[K] on, text_block_docs documents or 32 MiB of text) only when a view needs them.
// Text from the corpus only ever becomes DOM text nodes (never markup): see el().
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('doppel-data').textContent);
  const docs = D.docs;
  const N = docs.n;
  const PAGE = 50;
  const STATUS = D.statuses;
  const KEPT = 0, EXACT = 1, NEAR = 2;
  const ROLE_SOURCE = 1, ROLE_REUSE = 2;

  // ---- Data derived once --------------------------------------------------------------------
  const occ = D.occurrences.map(function (o) {
    return { doc: o[0], cluster: o[1], begin: o[2], end: o[3], words: o[4], role: o[5] };
  });
  const passages = D.passages.map(function (p, k) {
    const first = p[0], size = p[1];
    const src = p[3];
    const shown = src >= 0 ? src : first;  // the occurrence that stands for the passage
    // The source is the occurrence in the earliest dated document (none without dates).
    return { k: k, first: first, size: size, documents: p[2], source: src, shown: shown,
             words: occ[shown].words, earliest: src >= 0 ? docs.date_order[occ[src].doc] : '' };
  });
  // Passage colours: the eight passages in the most documents get the eight colours, in that order,
  // so that the overview's table and chart (the largest passages) show each in a colour of its own
  // and in the same colour as its text is marked with; the others cycle by number.
  const passageColor = passages.map(function (p) { return p.k % 8; });
  passages.slice().sort(function (a, b) { return b.documents - a.documents || a.k - b.k; }).slice(0, 8)
    .forEach(function (p, i) { passageColor[p.k] = i; });
  const occByDoc = new Array(N);
  for (let i = 0; i < occ.length; i++) {
    const d = occ[i].doc;
    (occByDoc[d] || (occByDoc[d] = [])).push(i);
  }
  for (let d = 0; d < N; d++) {
    if (occByDoc[d]) occByDoc[d].sort(function (a, b) { return occ[a].begin - occ[b].begin; });
  }
  const dups = D.dups.map(function (c, k) {
    return { k: k, rep: c[0], exact: c[1] === 1, members: c[2] };
  });

  // ---- Document texts, parsed block by block on demand --------------------------------------
  const blocks = new Map();
  function block(k) {
    let b = blocks.get(k);
    if (!b) {
      const node = document.getElementById('doppel-text-' + k);
      b = node ? JSON.parse(node.textContent) : [];
      blocks.set(k, b);
    }
    return b;
  }
  // Block k holds the documents from starts[k] on: text_block_docs of them, or fewer where their
  // text would pass the block's size in bytes.
  const starts = D.text_blocks;
  function blockOf(d) {
    let lo = 0, hi = starts.length - 1;  // the last block starting at or before d
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= d) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function textOf(d) {
    const k = blockOf(d);
    const t = block(k)[d - starts[k]];
    return typeof t === 'string' ? t : null;
  }
  const blockCount = starts.length;
  // Parses every block, yielding to the browser between blocks so that progress can be shown.
  function loadAllTexts(progress) {
    return new Promise(function (resolve) {
      let k = 0;
      (function step() {
        const until = performance.now() + 40;
        while (k < blockCount && performance.now() < until) block(k++);
        if (k >= blockCount) { resolve(); return; }
        progress(k, blockCount);
        setTimeout(step, 0);
      })();
    });
  }

  // Offsets in the data are Unicode code points; JavaScript strings index UTF-16 code units.
  function codeUnitIndex(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return function (cp) { return cp; };
    const map = [];
    let u = 0;
    for (const ch of text) { map.push(u); u += ch.length; }
    map.push(u);
    return function (cp) { return map[Math.min(cp, map.length - 1)]; };
  }
  function slice(text, begin, end) {
    const at = codeUnitIndex(text);
    return text.slice(at(begin), at(end));
  }

  // ---- DOM helpers: strings become text nodes, never markup ---------------------------------
  function el(tag, attrs) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const key in attrs) {
        const v = attrs[key];
        if (v === null || v === undefined || v === false) continue;
        if (typeof v === 'function') node.addEventListener(key.replace(/^on/, ''), v);
        else if (key === 'class') node.className = v;
        // Through the CSSOM: the page's policy lets no style attribute apply.
        else if (key === 'style') node.style.cssText = String(v);
        else node.setAttribute(key, v === true ? '' : String(v));
      }
    }
    for (let i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
  function pct(part, whole) {
    if (!whole) return '0%';
    const p = 100 * part / whole;
    return (p > 0 && p < 1 ? p.toFixed(1) : Math.round(p)) + '%';
  }
  function share(d) { return docs.chars[d] ? docs.reused[d] / docs.chars[d] : 0; }
  function bar(fraction) {
    return el('span', { class: 'bar' }, el('span', { style: 'width:' + Math.round(100 * fraction) + '%' }));
  }
  function color(cluster) { return 'c' + passageColor[cluster]; }
  // Ids, dates and file names come from the corpus: each in an element of its own that the
  // style sheet isolates (unicode-bidi), so that a right-to-left override in one (an id
  // "invoice-\u202eexe.txt") cannot reorder the text around it.
  function docLink(d) { return el('a', { href: '#/doc/' + d }, docs.id[d]); }
  function statusBadge(d) {
    const s = docs.status[d];
    if (s === KEPT) return docs.dup[d] >= 0 ? el('span', { class: 'badge' }, 'kept') : null;
    if (s === EXACT) return el('span', { class: 'badge exact' }, 'exact duplicate');
    if (s === NEAR) return el('span', { class: 'badge near' }, 'near duplicate');
    return el('span', { class: 'badge bad' }, STATUS[s].replace(/_/g, ' '));
  }
  // "1987-02-26T15:17:11" -> "1987-02-26 15:17": dates are free text, ISO 8601 most often.
  function shortDate(s) {
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(s || '');
    return m ? m[1] + ' ' + m[2] : (s || '');
  }
  function where(d) {
    const file = D.inputs[docs.input[d]];
    return docs.line[d] > 0 ? file + ':' + docs.line[d] : file;
  }
  function preview(text, n) {
    const t = text.replace(/\s+/g, ' ').trim();
    return t.length > n ? t.slice(0, n) + '\u2026' : t;
  }
  function passageText(p) {
    const o = occ[p.shown];
    const t = textOf(o.doc);
    return t === null ? '' : slice(t, o.begin, o.end);
  }

  // ---- Word differences (Myers, O((n+m)d)) ---------------------------------------------------
  // Marks the elements of `a` and `b` that belong to a longest common subsequence; null when the
  // two differ in more than maxD elements (the caller then shows them without differences).
  function commonParts(a, b, maxD) {
    const n = a.length, m = b.length;
    const keepA = new Uint8Array(n), keepB = new Uint8Array(m);
    let pre = 0;
    while (pre < n && pre < m && a[pre] === b[pre]) { keepA[pre] = keepB[pre] = 1; pre++; }
    let suf = 0;
    while (suf < n - pre && suf < m - pre && a[n - 1 - suf] === b[m - 1 - suf]) {
      keepA[n - 1 - suf] = keepB[m - 1 - suf] = 1; suf++;
    }
    const NA = n - pre - suf, MB = m - pre - suf, max = NA + MB;
    if (max === 0) return { a: keepA, b: keepB };
    const off = max + 1;
    const v = new Int32Array(2 * max + 3);
    const trace = [];
    let found = -1;
    outer:
    for (let d = 0; d <= max; d++) {
      if (d > maxD) return null;
      trace.push(v.slice(off - d - 1, off + d + 2));
      for (let k = -d; k <= d; k += 2) {
        let x = (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
        let y = x - k;
        while (x < NA && y < MB && a[pre + x] === b[pre + y]) { x++; y++; }
        v[off + k] = x;
        if (x >= NA && y >= MB) { found = d; break outer; }
      }
    }
    let x = NA, y = MB;
    for (let d = found; d > 0; d--) {
      const s = trace[d];
      const k = x - y;
      const down = k === -d || (k !== d && s[k - 1 + d + 1] < s[k + 1 + d + 1]);
      const pk = down ? k + 1 : k - 1;
      const px = s[pk + d + 1], py = px - pk;
      while (x > px && y > py) { x--; y--; keepA[pre + x] = keepB[pre + y] = 1; }
      x = px; y = py;
    }
    while (x > 0 && y > 0) { x--; y--; keepA[pre + x] = keepB[pre + y] = 1; }
    return { a: keepA, b: keepB };
  }
  // Words are split at whitespace and U+200B ZERO WIDTH SPACE, and each Han, kana or bopomofo
  // letter (with what is attached to it) is a word, as doppel splits them (docs/normalization.md,
  // the ranges of is_cjk_letter in src/text/normalize.cc, read after NFKC). splitWords(t) gives
  // words and separators in turn, as t.split(/(\s+)/) does; the separator between two words that
  // touch is ''. (A loop: a regular expression with a look-behind stops Safari before 16.4.)
  function isCjkLetter(n) {
    if (n < 0x3005) return false;
    if (n <= 0x303C) return n <= 0x3007 || (n >= 0x3021 && n <= 0x3029) || (n >= 0x3031 && n <= 0x3035) || n >= 0x3038;
    return (n >= 0x3040 && n <= 0x312F) || (n >= 0x31A0 && n <= 0x31BF) || (n >= 0x31F0 && n <= 0x31FF) ||
      (n >= 0x3400 && n <= 0x4DBF) || (n >= 0x4E00 && n <= 0x9FFF) || (n >= 0xF900 && n <= 0xFAFF) ||
      (n >= 0xFF66 && n <= 0xFF9D) || (n >= 0x1B000 && n <= 0x1B16F) || (n >= 0x20000 && n <= 0x323AF);
  }
  // Format characters (soft hyphen, joiners) vanish in doppel's words: they stay with the letter.
  const LETTER = /[\p{L}\p{N}]/u, MARK = /[\p{M}\p{Cf}]/u, SPACE = /[\s\u200B]/u;
  function splitWords(t) {
    const out = [];
    let word = '', space = '', cjk = false;  // cjk: the word is a CJK letter and what follows it
    for (const c of t) {
      const n = c.codePointAt(0);
      if (n < 0x80 ? (n === 32 || (n >= 9 && n <= 13)) : SPACE.test(c)) {
        if (space === '') { out.push(word); word = ''; }
        space += c;
        cjk = false;
        continue;
      }
      if (space !== '') { out.push(space); space = ''; }
      let letter = false, mark = false;
      if (n >= 0x80) {
        // Read as NFKC reads it: half-width katakana, compatibility ideographs, Kangxi radicals.
        const k = n >= 0x2E80 ? c.normalize('NFKC') : c;
        const first = k === '' ? c : String.fromCodePoint(k.codePointAt(0));
        mark = MARK.test(first) || n === 0xFF9E || n === 0xFF9F;
        letter = !mark && isCjkLetter(first.codePointAt(0)) && LETTER.test(first);
      }
      if ((letter || (cjk && !mark)) && word !== '') { out.push(word, ''); word = ''; }
      word += c;
      cjk = letter || (cjk && mark);
    }
    if (space !== '') out.push(space);
    out.push(word);
    return DICTIONARY_WORDS ? splitDictionaryWords(out) : out;
  }
  // Thai, Lao, Khmer and Myanmar: doppel cuts a run of their letters into words with ICU's
  // dictionaries (NormalizeOptions::dictionary_words); the browser's Intl.Segmenter uses the
  // same data in Chromium (where it is missing, a run stays one word and an edit marks it whole).
  const DICTIONARY = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u19E0-\u19FF\uA9E0-\uA9FF\uAA60-\uAA7F]/u;
  const DICTIONARY_WORDS = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter('th', { granularity: 'word' }) : null;
  function splitDictionaryWords(parts) {
    const out = [];
    parts.forEach(function (p, j) {
      if (j % 2 === 1 || !DICTIONARY.test(p)) { out.push(p); return; }
      let first = true;
      for (const s of DICTIONARY_WORDS.segment(p)) {
        if (!first) out.push('');
        out.push(s.segment);
        first = false;
      }
    });
    return out;
  }
  // A word as doppel compares it (docs/normalization.md): NFKC, case folded (lower case, with the
  // full foldings of ß and ẞ to "ss" and of a final sigma), letters and digits only; so "José"
  // typed with a combining accent (NFD, as macOS pastes it) is not marked as an edit of "José".
  function wordKey(w) { return w.normalize('NFKC').toLowerCase().replace(/[ßẞ]/g, 'ss').replace(/ς/g, 'σ').replace(/[^\p{L}\p{N}]+/gu, ''); }

  // ---- Shell: top bar, views, routing --------------------------------------------------------
  const app = document.getElementById('app');
  let view = null;
  const quick = el('input', { type: 'search', placeholder: 'Find a document by id\u2026', 'aria-label': 'Find a document by id' });
  quick.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') location.hash = '#/documents?id=' + encodeURIComponent(quick.value);
  });
  const navLinks = {
    '': el('a', { href: '#/' }, 'Overview'),
    documents: el('a', { href: '#/documents' }, 'Documents'),
    passages: el('a', { href: '#/passages' }, 'Passages'),
    duplicates: el('a', { href: '#/duplicates' }, 'Duplicates'),
  };
  const top = el('header', { class: 'topbar' },
    el('a', { class: 'brand', href: '#/' }, 'doppel', el('small', null, D.title)),
    el('nav', { class: 'nav' }, Object.values(navLinks)),
    el('div', { class: 'quick' }, quick));
  const main = el('main');
  app.textContent = '';
  append(app, [top, main]);

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const q = h.indexOf('?');
    const path = (q >= 0 ? h.slice(0, q) : h).split('/');
    const params = new URLSearchParams(q >= 0 ? h.slice(q + 1) : '');
    return { path: path, params: params };
  }
  // Replaces the query of the current view without a new history entry or a re-render.
  function setParams(params) {
    const h = location.hash.replace(/^#\/?/, '');
    const path = h.split('?')[0];
    const qs = params.toString();
    history.replaceState(null, '', '#/' + path + (qs ? '?' + qs : ''));
  }
  function route() {
    const r = parseHash();
    const name = r.path[0] || '';
    for (const key in navLinks) navLinks[key].classList.toggle('active', key === name ||
      (key === 'documents' && name === 'doc') || (key === 'passages' && name === 'passage') ||
      (key === 'duplicates' && name === 'duplicate'));
    main.textContent = '';
    const arg = parseInt(r.path[1], 10);
    if (name === 'documents') view = documentsView(r.params);
    else if (name === 'doc' && arg >= 0 && arg < N) view = documentView(arg);
    else if (name === 'passages') view = passagesView(r.params);
    else if (name === 'passage' && arg >= 0 && arg < passages.length) view = passageView(arg);
    else if (name === 'duplicates') view = duplicatesView(r.params);
    else if (name === 'duplicate' && arg >= 0 && arg < dups.length) view = duplicateView(arg, r.params);
    else view = overview();
    append(main, view);
    append(main, el('footer', null, 'Made by ' + (D.generator || 'doppel') + ' from ' + inputsText() +
      '. Offsets are in Unicode code points of each document\u2019s text.'));
    window.scrollTo(0, 0);
  }
  window.addEventListener('hashchange', route);

  function inputsText() {
    return D.inputs.length <= 3 ? D.inputs.join(', ') : fmtInt(D.inputs.length) + ' input files';
  }
  function inputsLine() {
    if (D.inputs.length <= 3) return inputsText();
    return el('details', null, el('summary', null, inputsText() + ': ' + D.inputs.slice(0, 2).join(', ') + ', \u2026'),
      D.inputs.join('\n'));
  }

  // ---- Overview ------------------------------------------------------------------------------
  function card(value, label, detail) {
    return el('div', { class: 'card' }, el('div', { class: 'value' }, value),
      el('div', { class: 'label' }, label), detail ? el('div', { class: 'detail' }, detail) : null);
  }
  function overview() {
    const s = D.summary;
    const out = [el('h1', null, D.title), el('p', { class: 'sub' }, inputsLine())];
    out.push(el('div', { class: 'cards' },
      card(fmtInt(s.documents), 'documents read', fmtInt(s.compared) + ' compared'),
      card(fmtInt(s.bad_input), 'bad input', s.bad_input ? 'not compared' : 'none'),
      card(fmtInt(s.exact_duplicates), 'exact duplicates', fmtInt(s.exact_clusters) + ' clusters'),
      card(fmtInt(s.near_duplicates), 'near duplicates', fmtInt(s.near_clusters) + ' clusters'),
      card(fmtInt(s.passage_clusters), 'shared passages', fmtInt(s.occurrences) + ' occurrences'),
      card(pct(s.reused_bytes, s.text_bytes), 'of the text is reused', 'in passages shared with another document')));

    const top = passages.slice().sort(function (a, b) { return b.documents - a.documents || a.k - b.k; }).slice(0, 10);
    out.push(el('h2', null, 'Largest shared passages'));
    out.push(top.length ? passageTable(top) : el('p', { class: 'muted' }, 'No passage is shared between documents.'));

    out.push(el('h2', null, 'Reuse over time'));
    out.push(timeChart(top.slice(0, 5)));

    const topDups = dups.slice().sort(function (a, b) { return b.members.length - a.members.length || a.k - b.k; }).slice(0, 10);
    out.push(el('h2', null, 'Largest duplicate clusters'));
    out.push(topDups.length ? dupTable(topDups) : el('p', { class: 'muted' }, 'No exact or near duplicates.'));
    return out;
  }

  // Documents per month in which each passage occurs: one bar per passage and month.
  function timeChart(list) {
    const series = [];
    let months = new Set();
    list.forEach(function (p) {
      const count = new Map(), seen = new Set();
      for (let i = p.first; i < p.first + p.size; i++) {
        const d = occ[i].doc, m = /^\d{4}-\d{2}/.exec(docs.date_order[d] || '');
        if (!m || seen.has(d)) continue;
        seen.add(d);
        count.set(m[0], (count.get(m[0]) || 0) + 1);
        months.add(m[0]);
      }
      if (count.size) series.push({ p: p, count: count });
    });
    if (!series.length) {
      return el('p', { class: 'muted' }, 'The documents have no dates (a JSON "date" field, or a date line at the top of a text file), so there is no timeline.');
    }
    // Every month between the first and the last, so that gaps show.
    const sorted = Array.from(months).sort();
    const all = [];
    let [y, m] = sorted[0].split('-').map(Number);
    const [ly, lm] = sorted[sorted.length - 1].split('-').map(Number);
    while (y < ly || (y === ly && m <= lm)) {
      all.push(y + '-' + String(m).padStart(2, '0'));
      if (++m > 12) { m = 1; y++; }
      if (all.length > 600) break;
    }
    let maxCount = 1;
    series.forEach(function (s) { s.count.forEach(function (c) { maxCount = Math.max(maxCount, c); }); });
    // Round ticks (1, 2 or 5 times a power of ten), about four of them.
    const raw = maxCount / 4, pow = Math.pow(10, Math.floor(Math.log10(Math.max(1, raw))));
    const step = Math.max(1, [1, 2, 5, 10].map(function (f) { return f * pow; }).find(function (s) { return s >= raw; }));
    maxCount = Math.ceil(maxCount / step) * step;
    const W = 900, H = 260, L = 44, R = 16, T = 12, B = 34;
    const gw = (W - L - R) / all.length, bw = Math.max(1, gw * 0.8 / series.length);
    const xs = function (i) { return L + i * gw + gw / 2; };
    const ys = function (c) { return H - B - c * (H - T - B) / maxCount; };
    const NS = 'http://www.w3.org/2000/svg';
    function svg(tag, attrs, text) {
      const node = document.createElementNS(NS, tag);
      for (const k in attrs) node.setAttribute(k, attrs[k]);
      if (text !== undefined) node.textContent = text;
      return node;
    }
    const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Documents per month for the largest passages' });
    for (let c = 0; c <= maxCount; c += step) {
      root.appendChild(svg('line', { class: 'grid', x1: L, x2: W - R, y1: ys(c), y2: ys(c) }));
      root.appendChild(svg('text', { x: L - 6, y: ys(c) + 4, 'text-anchor': 'end' }, fmtInt(c)));
    }
    root.appendChild(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
    const every = Math.max(1, Math.ceil(all.length / 10));
    all.forEach(function (mo, i) {
      if (i % every === 0 || i === all.length - 1) {
        root.appendChild(svg('text', { x: xs(i), y: H - B + 16, 'text-anchor': 'middle' }, mo));
      }
    });
    const legend = el('div', { class: 'legend' });
    series.forEach(function (s, si) {
      all.forEach(function (mo, i) {
        const c = s.count.get(mo);
        if (!c) return;
        const x = L + i * gw + gw * 0.1 + si * bw;
        const rect = svg('rect', { x: x, y: ys(c), width: Math.max(1, bw - 1), height: H - B - ys(c), class: color(s.p.k), rx: 1 });
        rect.appendChild(svg('title', {}, 'passage #' + s.p.k + ': ' + c + ' documents in ' + mo));
        root.appendChild(rect);
      });
      legend.appendChild(el('span', null, el('span', { class: 'swatch ' + color(s.p.k) }),
        el('a', { href: '#/passage/' + s.p.k }, 'passage #' + s.p.k), ' (' + fmtInt(s.p.documents) + ' documents)'));
    });
    return el('div', { class: 'panel chart' }, root, legend,
      el('div', { class: 'faint' }, 'Documents per month in which each of the largest passages occurs.'));
  }

  // ---- Tables --------------------------------------------------------------------------------
  function passageTable(list) {
    return el('div', { class: 'table-wrap' }, el('table', null,
      el('thead', null, el('tr', null, el('th', null, 'Passage'), el('th', { class: 'num' }, 'Documents'),
        el('th', { class: 'num hide-narrow' }, 'Words'), el('th', null, 'First seen'), el('th', { class: 'hide-narrow' }, 'Text'))),
      el('tbody', null, list.map(function (p) {
        const src = occ[p.shown].doc;
        return el('tr', null,
          el('td', { class: 'nowrap' }, el('span', { class: 'swatch ' + color(p.k) }), el('a', { href: '#/passage/' + p.k }, '#' + p.k)),
          el('td', { class: 'num' }, fmtInt(p.documents)),
          el('td', { class: 'num hide-narrow' }, fmtInt(p.words)),
          el('td', { class: 'id' }, p.source >= 0 ? [docLink(src), el('div', { class: 'faint nowrap', title: docs.date[src] }, shortDate(docs.date[src]))] : el('span', { class: 'faint' }, 'no dates')),
          el('td', { class: 'preview hide-narrow' }, preview(passageText(p), 140)));
      }))));
  }
  function dupTable(list) {
    return el('div', { class: 'table-wrap' }, el('table', null,
      el('thead', null, el('tr', null, el('th', null, 'Cluster'), el('th', { class: 'num' }, 'Documents'),
        el('th', null, 'Kind'), el('th', null, 'Kept document'))),
      el('tbody', null, list.map(function (c) {
        return el('tr', null,
          el('td', null, el('a', { href: '#/duplicate/' + c.k }, '#' + c.k)),
          el('td', { class: 'num' }, fmtInt(c.members.length)),
          el('td', null, el('span', { class: 'badge ' + (c.exact ? 'exact' : 'near') }, c.exact ? 'exact' : 'near')),
          el('td', { class: 'id' }, docLink(c.rep), docs.date[c.rep] ? [' ', el('bdi', { class: 'faint nowrap', title: docs.date[c.rep] }, ' ' + shortDate(docs.date[c.rep]))] : null));
      }))));
  }
  function pager(total, page, go) {
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const from = total ? page * PAGE + 1 : 0, to = Math.min(total, (page + 1) * PAGE);
    return el('div', { class: 'pager' },
      el('button', { onclick: function () { go(page - 1); }, disabled: page <= 0 }, '\u2190 Previous'),
      el('span', null, fmtInt(from) + '\u2013' + fmtInt(to) + ' of ' + fmtInt(total)),
      el('button', { onclick: function () { go(page + 1); }, disabled: page >= pages - 1 }, 'Next \u2192'));
  }
  // A filtered, sorted, paginated list whose state lives in the URL's query.
  function listView(params, spec) {
    const state = {};
    spec.fields.forEach(function (f) { state[f.name] = params.get(f.name) || f.initial || ''; });
    let page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);
    const status = el('div', { class: 'status-line' });
    const results = el('div');
    let token = 0;
    function save() {
      const p = new URLSearchParams();
      spec.fields.forEach(function (f) { if (state[f.name] && state[f.name] !== (f.initial || '')) p.set(f.name, state[f.name]); });
      if (page) p.set('page', String(page));
      setParams(p);
    }
    function render() {
      const mine = ++token;
      const needText = spec.needsText(state);
      const run = function () {
        if (mine !== token) return;
        const rows = spec.rows(state);
        const pages = Math.max(1, Math.ceil(rows.length / PAGE));
        if (page >= pages) page = pages - 1;
        save();
        results.textContent = '';
        status.textContent = '';
        const go = function (p) { page = p; render(); window.scrollTo(0, 0); };
        append(results, [pager(rows.length, page, go), spec.table(rows.slice(page * PAGE, (page + 1) * PAGE)),
          rows.length > PAGE ? pager(rows.length, page, go) : null]);
      };
      if (needText && blocks.size < blockCount) {
        loadAllTexts(function (k, n) { status.textContent = 'Reading the text of every document\u2026 ' + Math.round(100 * k / n) + '%'; }).then(run);
      } else {
        run();
      }
    }
    const controls = el('div', { class: 'controls' }, spec.fields.map(function (f) {
      let input;
      if (f.options) {
        input = el('select', null, f.options.map(function (o) { return el('option', { value: o[0], selected: o[0] === state[f.name] }, o[1]); }));
      } else if (f.type === 'checkbox') {
        input = el('input', { type: 'checkbox', checked: state[f.name] === '1' });
      } else {
        input = el('input', { type: f.type || 'search', value: state[f.name], placeholder: f.placeholder || '', min: f.type === 'number' ? 0 : null });
      }
      input.setAttribute('name', f.name);
      let timer = 0;
      const update = function () {
        state[f.name] = f.type === 'checkbox' ? (input.checked ? '1' : '') : input.value;
        page = 0;
        clearTimeout(timer);
        timer = setTimeout(render, f.type === 'checkbox' || f.options ? 0 : 200);
      };
      input.addEventListener(f.options || f.type === 'checkbox' ? 'change' : 'input', update);
      return f.type === 'checkbox' ? el('label', { class: 'check' }, input, f.label) : el('label', null, f.label, input);
    }));
    render();
    return [el('h1', null, spec.title), spec.intro ? el('p', { class: 'sub' }, spec.intro) : null, controls, status, results];
  }
  function includesText(haystack, needle) { return haystack !== null && haystack.toLowerCase().indexOf(needle) >= 0; }
  function byDate(a, b) {
    const x = docs.date_order[a], y = docs.date_order[b];
    if (x === y) return a - b;
    if (!x) return 1;
    if (!y) return -1;
    return x < y ? -1 : 1;
  }

  // ---- Document list -------------------------------------------------------------------------
  function documentsView(params) {
    return listView(params, {
      title: 'Documents',
      intro: fmtInt(N) + ' documents, in input order unless sorted. The bar is the share of each document that also occurs in another one.',
      fields: [
        { name: 'id', label: 'Id contains', placeholder: 'e.g. reuters-12' },
        { name: 'text', label: 'Text contains', placeholder: 'words' },
        { name: 'min', label: 'Min. characters', type: 'number' },
        { name: 'max', label: 'Max. characters', type: 'number' },
        { name: 'status', label: 'Dedup status', initial: 'all', options: [['all', 'all'], ['kept', 'kept'], ['exact', 'exact duplicates'], ['near', 'near duplicates'], ['bad', 'bad input']] },
        { name: 'sort', label: 'Sort by', initial: 'input', options: [['input', 'input order'], ['share', 'reused share'], ['size', 'size, largest first'], ['small', 'size, smallest first'], ['date', 'date'], ['passages', 'passages']] },
        { name: 'reused', label: 'with shared passages', type: 'checkbox' },
      ],
      needsText: function (s) { return s.text.trim() !== ''; },
      rows: function (s) {
        const id = s.id.trim().toLowerCase(), text = s.text.trim().toLowerCase();
        const min = parseInt(s.min, 10), max = parseInt(s.max, 10);
        const rows = [];
        for (let d = 0; d < N; d++) {
          const st = docs.status[d];
          if (id && docs.id[d].toLowerCase().indexOf(id) < 0) continue;
          if (min >= 0 && docs.chars[d] < min) continue;
          if (max >= 0 && docs.chars[d] > max) continue;
          if (s.status === 'kept' && st !== KEPT) continue;
          if (s.status === 'exact' && st !== EXACT) continue;
          if (s.status === 'near' && st !== NEAR) continue;
          if (s.status === 'bad' && st <= NEAR) continue;
          if (s.reused === '1' && !occByDoc[d]) continue;
          if (text && !includesText(textOf(d), text)) continue;
          rows.push(d);
        }
        const passagesOf = function (d) { return occByDoc[d] ? occByDoc[d].length : 0; };
        if (s.sort === 'share') rows.sort(function (a, b) { return share(b) - share(a) || a - b; });
        else if (s.sort === 'size') rows.sort(function (a, b) { return docs.chars[b] - docs.chars[a] || a - b; });
        else if (s.sort === 'small') rows.sort(function (a, b) { return docs.chars[a] - docs.chars[b] || a - b; });
        else if (s.sort === 'date') rows.sort(byDate);
        else if (s.sort === 'passages') rows.sort(function (a, b) { return passagesOf(b) - passagesOf(a) || a - b; });
        return rows;
      },
      table: function (rows) {
        return el('div', { class: 'table-wrap' }, el('table', null,
          el('thead', null, el('tr', null, el('th', null, 'Id'), el('th', { class: 'hide-narrow' }, 'Date'),
            el('th', { class: 'num' }, 'Characters'), el('th', null, 'Reused'), el('th', { class: 'num hide-narrow' }, 'Passages'), el('th', { class: 'hide-narrow' }, 'Status'))),
          el('tbody', null, rows.map(function (d) {
            return el('tr', null,
              el('td', { class: 'id' }, docLink(d)),
              el('td', { class: 'nowrap hide-narrow', title: docs.date[d] }, shortDate(docs.date[d])),
              el('td', { class: 'num' }, fmtInt(docs.chars[d])),
              el('td', { class: 'nowrap' }, bar(share(d)), pct(docs.reused[d], docs.chars[d])),
              el('td', { class: 'num hide-narrow' }, occByDoc[d] ? occByDoc[d].length : 0),
              el('td', { class: 'hide-narrow' }, statusBadge(d)));
          }))));
      },
    });
  }

  // ---- One document --------------------------------------------------------------------------
  function documentView(d) {
    const out = [el('h1', null, docs.id[d])];
    const meta = [docs.date[d] ? [el('bdi', null, docs.date[d]), ' \u00b7 '] : '', el('bdi', null, where(d)), ' \u00b7 ', fmtInt(docs.chars[d]), ' characters '];
    out.push(el('p', { class: 'sub' }, meta, statusBadge(d)));
    const text = textOf(d);
    if (text === null) {
      out.push(el('p', { class: 'panel' }, 'This document was not compared: ' + STATUS[docs.status[d]].replace(/_/g, ' ') + '. Run doppel dedup with --removed to see why.'));
      return out;
    }
    // Duplicates.
    const c = docs.dup[d];
    if (c >= 0) {
      const cl = dups[c];
      const others = cl.members.filter(function (m) { return m !== d; });
      const line = cl.rep === d
        ? ['Kept for its ', el('a', { href: '#/duplicate/' + c }, (cl.exact ? 'exact' : 'near') + '-duplicate cluster'), ' of ' + cl.members.length + ' documents: ']
        : [(docs.status[d] === EXACT ? 'Exact' : 'Near') + ' duplicate (similarity ' + docs.similarity[d] + ') of ', docLink(cl.rep), ', in ',
          el('a', { href: '#/duplicate/' + c + '?with=' + d }, 'cluster #' + c), ' with: '];
      const shown = others.slice(0, 8);
      out.push(el('p', { class: 'panel' }, line, shown.map(function (m, i) { return [i ? ', ' : '', docLink(m)]; }),
        others.length > shown.length ? ' and ' + (others.length - shown.length) + ' more' : ''));
    }
    const list = occByDoc[d] || [];
    const newChars = docs.chars[d] - docs.reused[d];
    out.push(el('p', null, el('strong', null, pct(docs.reused[d], docs.chars[d]) + ' reused'),
      list.length ? ' in ' + list.length + ' passage' + (list.length > 1 ? 's' : '') + ' shared with other documents; ' : '; ',
      fmtInt(newChars) + (newChars === 1 ? ' character (' : ' characters (') + pct(newChars, docs.chars[d]) + ') are new: unhighlighted below.'));

    // The text with every occurrence highlighted in its passage's colour.
    const at = codeUnitIndex(text);
    const body = el('div', { class: 'text', id: 'doc-text' });
    const marks = new Map();
    let pos = 0;
    list.forEach(function (i) {
      const o = occ[i];
      const b = Math.max(at(o.begin), pos), e = at(o.end);
      if (e <= b) return;  // a guard: doppel reuse merges overlapping occurrences of a document
      append(body, text.slice(pos, b));
      const p = passages[o.cluster];
      const mark = el('mark', { class: color(o.cluster), 'data-passage': o.cluster, 'data-begin': o.begin, 'data-end': o.end,
        title: 'passage #' + o.cluster + ' \u00b7 in ' + p.documents + ' documents' + (o.role === ROLE_SOURCE ? ' \u00b7 first here' : '') },
        text.slice(b, e));
      mark.addEventListener('click', function () { select(i); });
      marks.set(i, mark);
      append(body, [mark, el('span', { class: 'gap', 'data-label': '[\u2026 shared passage #' + o.cluster + ' \u2026]' })]);
      pos = e;
    });
    append(body, text.slice(pos));
    const onlyNew = el('input', { type: 'checkbox' });
    onlyNew.addEventListener('change', function () { body.classList.toggle('only-new', onlyNew.checked); });
    const items = new Map();
    const side = el('aside', { class: 'panel side' }, el('h3', null, list.length ? 'Shared passages' : 'No shared passage'),
      el('ul', { class: 'occ-list' }, list.map(function (i) {
        const o = occ[i], p = passages[o.cluster];
        const others = [];
        for (let j = p.first; j < p.first + p.size && others.length < 6; j++) {
          if (occ[j].doc !== d && others.indexOf(occ[j].doc) < 0) others.push(occ[j].doc);
        }
        const item = el('li', null,
          el('div', null, el('span', { class: 'swatch ' + color(o.cluster) }), el('a', { href: '#/passage/' + o.cluster }, 'passage #' + o.cluster),
            ' \u00b7 ' + o.words + ' words ', o.role === ROLE_SOURCE ? el('span', { class: 'badge source' }, 'first here') : null),
          el('div', { class: 'also' }, 'Also in ', others.slice(0, 5).map(function (m, k) { return [k ? ', ' : '', docLink(m)]; }),
            p.documents - 1 > 5 ? [' and ', el('a', { href: '#/passage/' + o.cluster }, (p.documents - 6) + ' more')] : ''));
        item.addEventListener('click', function (e) { if (e.target.tagName !== 'A') select(i, true); });
        items.set(i, item);
        return item;
      })));
    function select(i, scrollText) {
      marks.forEach(function (m, k) { m.classList.toggle('selected', k === i); });
      items.forEach(function (m, k) { m.classList.toggle('selected', k === i); });
      const target = scrollText ? marks.get(i) : items.get(i);
      if (target) target.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
    out.push(el('div', { class: 'controls' }, el('label', { class: 'check' }, onlyNew, 'Show only what is new')));
    out.push(el('div', { class: 'doc-layout' }, body, side));
    return out;
  }

  // ---- Passage list and one passage ----------------------------------------------------------
  function passagesView(params) {
    return listView(params, {
      title: 'Shared passages',
      intro: fmtInt(passages.length) + ' passages, each found in two or more documents. A passage\u2019s text is shown from its first (earliest dated) occurrence.',
      fields: [
        { name: 'text', label: 'Text contains', placeholder: 'words' },
        { name: 'docs', label: 'Min. documents', type: 'number' },
        { name: 'words', label: 'Min. words', type: 'number' },
        { name: 'sort', label: 'Sort by', initial: 'docs', options: [['docs', 'documents'], ['words', 'words'], ['date', 'first seen'], ['input', 'input order']] },
      ],
      needsText: function (s) { return s.text.trim() !== ''; },
      rows: function (s) {
        const text = s.text.trim().toLowerCase();
        const minDocs = parseInt(s.docs, 10), minWords = parseInt(s.words, 10);
        const rows = passages.filter(function (p) {
          if (minDocs > 0 && p.documents < minDocs) return false;
          if (minWords > 0 && p.words < minWords) return false;
          return !text || passageText(p).toLowerCase().indexOf(text) >= 0;
        });
        if (s.sort === 'docs') rows.sort(function (a, b) { return b.documents - a.documents || a.k - b.k; });
        else if (s.sort === 'words') rows.sort(function (a, b) { return b.words - a.words || a.k - b.k; });
        else if (s.sort === 'date') rows.sort(function (a, b) { return a.earliest === b.earliest ? a.k - b.k : !a.earliest ? 1 : !b.earliest ? -1 : a.earliest < b.earliest ? -1 : 1; });
        return rows;
      },
      table: passageTable,
    });
  }

  function passageView(k) {
    const p = passages[k];
    const out = [el('h1', null, el('span', { class: 'swatch ' + color(k) }), 'Passage #' + k)];
    const src = p.source >= 0 ? occ[p.source].doc : -1;
    out.push(el('p', { class: 'sub' }, fmtInt(p.documents) + ' documents \u00b7 ' + fmtInt(p.size) + ' occurrences \u00b7 ',
      src >= 0 ? ['first in ', docLink(src), ' (', el('bdi', null, docs.date[src]), ')'] : 'no dates, so no source is named'));
    const ref = passageText(p);
    const refKeys = splitWords(ref).filter(function (t, j) { return j % 2 === 0 && t; }).map(wordKey);
    // The source first, then the others in input order.
    const order = [];
    if (p.source >= 0) order.push(p.source);
    for (let i = p.first; i < p.first + p.size; i++) if (i !== p.source) order.push(i);
    const listNode = el('div');
    let shown = 0;
    const more = el('button', { onclick: function () { showMore(); } });
    function occurrenceCard(i) {
      const o = occ[i];
      const t = textOf(o.doc);
      const head = el('div', { class: 'occ-head' }, docLink(o.doc),
        docs.date[o.doc] ? el('bdi', { class: 'muted' }, docs.date[o.doc]) : null,
        o.role === ROLE_SOURCE ? el('span', { class: 'badge source' }, 'source: earliest') : o.role === ROLE_REUSE ? el('span', { class: 'badge' }, 'reuse') : null,
        el('span', { class: 'faint' }, 'characters ' + fmtInt(o.begin) + '\u2013' + fmtInt(o.end) + ' \u00b7 ' + o.words + ' words'));
      if (t === null) return el('div', { class: 'occ-card' }, head);
      const at = codeUnitIndex(t);
      const b = at(o.begin), e = at(o.end);
      const cb = Math.max(0, b - 160), ce = Math.min(t.length, e + 160);
      const span = t.slice(b, e);
      const mark = el('mark', { class: color(k), 'data-passage': k, 'data-begin': o.begin, 'data-end': o.end });
      // Words that differ from the passage's first occurrence are underlined.
      const tokens = splitWords(span);
      const words = [];
      tokens.forEach(function (tok, j) { if (j % 2 === 0 && tok) words.push(wordKey(tok)); });
      const common = i === p.shown ? null : commonParts(refKeys, words, 400);
      let w = 0;
      tokens.forEach(function (tok, j) {
        if (j % 2 === 1 || !tok) { append(mark, tok); return; }
        const edited = common && !common.b[w] && wordKey(tok) !== '';
        w++;
        append(mark, edited ? el('span', { class: 'edit', title: 'differs from the first occurrence' }, tok) : tok);
      });
      return el('div', { class: 'occ-card' + (o.role === ROLE_SOURCE ? ' is-source' : '') }, head,
        el('div', { class: 'occ-text' }, cb > 0 ? el('span', { class: 'ctx' }, '\u2026' + t.slice(cb, b)) : el('span', { class: 'ctx' }, t.slice(0, b)),
          mark, el('span', { class: 'ctx' }, t.slice(e, ce) + (ce < t.length ? '\u2026' : ''))));
    }
    function showMore() {
      const until = Math.min(order.length, shown + PAGE);
      for (; shown < until; shown++) listNode.appendChild(occurrenceCard(order[shown]));
      more.textContent = 'Show ' + Math.min(PAGE, order.length - shown) + ' more of ' + fmtInt(order.length - shown);
      more.style.display = shown < order.length ? '' : 'none';
    }
    out.push(el('h2', null, 'Every occurrence'), el('p', { class: 'muted' },
      'Each occurrence in context; underlined words differ from the ' + (p.source >= 0 ? 'source' : 'first occurrence') + '.'));
    out.push(listNode, more);
    showMore();
    return out;
  }

  // ---- Duplicate clusters --------------------------------------------------------------------
  function duplicatesView(params) {
    return listView(params, {
      title: 'Duplicate clusters',
      intro: fmtInt(dups.length) + ' clusters of exact or near-duplicate documents (doppel dedup). Each keeps one document; the others are duplicates of it.',
      fields: [
        { name: 'id', label: 'Member id contains' },
        { name: 'kind', label: 'Kind', initial: 'all', options: [['all', 'all'], ['exact', 'exact'], ['near', 'near']] },
        { name: 'sort', label: 'Sort by', initial: 'size', options: [['size', 'size'], ['input', 'input order']] },
      ],
      needsText: function () { return false; },
      rows: function (s) {
        const id = s.id.trim().toLowerCase();
        const rows = dups.filter(function (c) {
          if (s.kind === 'exact' && !c.exact) return false;
          if (s.kind === 'near' && c.exact) return false;
          return !id || c.members.some(function (m) { return docs.id[m].toLowerCase().indexOf(id) >= 0; });
        });
        if (s.sort === 'size') rows.sort(function (a, b) { return b.members.length - a.members.length || a.k - b.k; });
        return rows;
      },
      table: dupTable,
    });
  }

  function duplicateView(k, params) {
    const c = dups[k];
    const out = [el('h1', null, 'Duplicate cluster #' + k)];
    out.push(el('p', { class: 'sub' }, fmtInt(c.members.length) + ' documents \u00b7 ' + (c.exact ? 'identical after normalization' : 'near duplicates') + ' \u00b7 kept: ', docLink(c.rep)));
    out.push(el('div', { class: 'table-wrap' }, el('table', null,
      el('thead', null, el('tr', null, el('th', null, 'Document'), el('th', null, 'Date'), el('th', { class: 'num' }, 'Similarity'), el('th', null, 'Status'))),
      el('tbody', null, c.members.map(function (m) {
        return el('tr', null, el('td', { class: 'id' }, docLink(m)), el('td', { class: 'nowrap' }, docs.date[m]),
          el('td', { class: 'num' }, String(docs.similarity[m])), el('td', null, m === c.rep ? el('span', { class: 'badge' }, 'kept') : statusBadge(m)));
      })))));
    const others = c.members.filter(function (m) { return m !== c.rep; });
    let other = parseInt(params.get('with'), 10);
    if (others.indexOf(other) < 0) other = others[0];
    const pick = el('select', { 'aria-label': 'Compare the kept document with' }, others.map(function (m) {
      return el('option', { value: m, selected: m === other }, docs.id[m]);
    }));
    const pair = el('div');
    function show() {
      other = parseInt(pick.value, 10);
      setParams(new URLSearchParams({ with: String(other) }));
      pair.textContent = '';
      append(pair, sideBySide(c.rep, other));
    }
    pick.addEventListener('change', show);
    out.push(el('h2', null, 'Side by side'), el('div', { class: 'controls' }, el('label', null, 'Compare the kept document with', pick)), pair);
    show();
    return out;
  }

  function sideBySide(a, b) {
    const ta = textOf(a), tb = textOf(b);
    if (ta === null || tb === null) return el('p', { class: 'muted' }, 'Text not available.');
    const sa = splitWords(ta), sb = splitWords(tb);
    const wa = sa.filter(function (t, j) { return j % 2 === 0; }), wb = sb.filter(function (t, j) { return j % 2 === 0; });
    const common = commonParts(wa, wb, 3000);
    // Runs of changed words become one element; the spaces between two changed words belong to
    // the run, the spaces around it do not.
    function render(tokens, keep, tag) {
      const node = el('div', { class: 'text' });
      let w = 0, plain = '', changed = '', space = '';
      tokens.forEach(function (tok, j) {
        if (j % 2 === 1) { space += tok; return; }
        const same = !keep || keep[w++] || tok === '';
        if (same) {
          if (changed) { append(node, el(tag, { class: 'diff' }, changed)); changed = ''; }
          plain += space + tok;
        } else if (changed) {
          changed += space + tok;
        } else {
          append(node, plain + space);
          plain = '';
          changed = tok;
        }
        space = '';
      });
      if (changed) append(node, el(tag, { class: 'diff' }, changed));
      append(node, plain + space);
      return node;
    }
    const left = el('div', null, el('h3', null, docLink(a), ' (kept)'), render(sa, common && common.a, 'del'));
    const right = el('div', null, el('h3', null, docLink(b)), render(sb, common && common.b, 'ins'));
    return [common ? el('p', { class: 'muted' }, 'Struck-through words are only in the kept document, green ones only in the other.')
      : el('p', { class: 'muted' }, 'These texts differ in too many words to mark every difference.'),
      el('div', { class: 'side-by-side' }, left, right)];
  }

  route();
})();
