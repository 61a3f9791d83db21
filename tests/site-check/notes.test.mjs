// Notes where the reader is, and the compact header, in headless Chromium (node's test runner):
//
//   SITE_DIR=target/site-check/site node --test --test-reporter=spec tests/site-check/notes.test.mjs
//
// Every content page with notes, checked for:
//   sidenotes   at 1280 and 1440 px with JavaScript: every note stands in the margin right of the
//               text, inside the viewport, never above its marker, level with it unless the note
//               before pushes it down, and no two notes' boxes overlap (again after a quote in
//               the margin is opened, and after the window is narrowed to 390 px and widened)
//   popover     at 390 px with JavaScript: a tap on a marker opens an aside[role=doc-footnote]
//               under its paragraph holding the note's text, focus moves into it, the marker's
//               aria-expanded flips to "true"; a second tap closes it; Escape closes it and focus
//               returns to the marker; markers have aria-expanded only where a tap opens a note
//   targets     markers at least 24 x 24 CSS px, back-links at least 44 x 44 (390 px, notes listed)
//   no-js       with JavaScript off at 390 and 1440 px: the notes are listed at the end of the page
//               (in the flow, visible), marker -> note (#n-N, :target) -> back-link -> marker
//   print       print media at 1440 px with JavaScript: the notes are listed (not in the margin),
//               `a.cite-line::after` shows the line's address, an open note under a paragraph
//               is not printed
//   axe         axe-core (wcag2a/2aa/21a/21aa) in dark and light mode at 390 px with a note open,
//               and at 1440 px with the sidenotes laid out and a quote in the margin open
//   cls         the layout shifts of loading at 390 and 1440 px (PerformanceObserver, buffered)
//               add up to less than 0.01
//   rtl         a quote whose first strong character is Arabic or Hebrew reads right to left
//   header      at 390 px the header is one row (at most 72 px tall) whose menu is a disclosure
//               that opens with JavaScript off; at 1280 px the menu is one row, also with one
//               more page in it
//   table code  inline code in a table cell breaks only between words
//
// Environment: as behaviour.test.mjs (SITE_DIR, SITE_LABEL, SITE_STRICT, FINDINGS_FILE,
// CHROMIUM_PATH). With SITE_STRICT=1 a site without notes, or without a table with code, fails.
// The setup shared with the other *.test.mjs files (the site's pages, the server, Chromium, the
// findings) lives in common.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useSite, setupBrowser, pageTest, localContext, urlOf, settle, runAxe, read,
  LABEL, STRICT, PAGES, HOME,
} from './common.mjs';

useSite('notes.test.mjs');
const NOTED = PAGES.filter((rel) => /class="?notes-list/.test(read(rel)));

function strictNeeds(what, ok) {
  if (STRICT) assert.ok(ok, `${LABEL}: ${what} (SITE_STRICT)`);
}

setupBrowser();

// Records layout shifts from the start of every document (also with page scripts off, where
// init scripts do not run: then nothing is recorded, and the CLS check is not made).
const INIT = `
window.__shifts = [];
try {
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value); })
    .observe({ type: 'layout-shift', buffered: true });
} catch (e) {}
`;

// Reduced motion unless opts say otherwise; only the local server is contacted (common.mjs).
const newContext = (opts = {}) => localContext({ reducedMotion: 'reduce', ...opts }, INIT);
async function open(ctx, rel, hash = '') {
  const page = await ctx.newPage();
  await page.goto(urlOf(rel, hash), { waitUntil: 'load', timeout: 30000 });
  return page;
}

// The sidenote layout as the reader sees it: problems in words, none when it is right.
function sidenoteProblems() {
  const out = [];
  const section = document.querySelector('section.notes');
  if (!section.classList.contains('sidenotes')) return ['section.notes is not laid out as sidenotes'];
  const prose = document.querySelector('.prose').getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  let prev = null;
  for (const li of section.querySelectorAll('.notes-list > li')) {
    const n = li.id.slice(2);
    const r = li.getBoundingClientRect();
    const marker = document.getElementById('r-' + n);
    if (!marker) { out.push(`li#${li.id}: no marker #r-${n}`); continue; }
    const m = marker.getBoundingClientRect();
    if (getComputedStyle(li).visibility !== 'visible' || r.height === 0) out.push(`li#${li.id} is not visible`);
    if (r.left < prose.right) out.push(`li#${li.id} starts at x=${Math.round(r.left)}, inside the text (which ends at ${Math.round(prose.right)})`);
    if (r.right > vw + 0.5) out.push(`li#${li.id} ends at x=${Math.round(r.right)}, beyond the viewport (${vw})`);
    if (r.top < m.top - 2) out.push(`li#${li.id} stands ${Math.round(m.top - r.top)}px above its marker`);
    if (prev && r.top < prev.r.bottom - 0.5) out.push(`li#${li.id} overlaps li#${prev.id} by ${Math.round(prev.r.bottom - r.top)}px`);
    const free = !prev || m.top >= prev.r.bottom + 8;
    if (free && Math.abs(r.top - m.top) > 2) out.push(`li#${li.id} is ${Math.round(r.top - m.top)}px from its marker, with room to stand level with it`);
    prev = { id: li.id, r };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

test('sidenotes: beside their markers, never overlapping (1280, 1440 px, JavaScript on)', { timeout: 600e3 }, async (t) => {
  let laid = 0;
  for (const width of [1280, 1440]) {
    const ctx = await newContext({ viewport: { width, height: 900 } });
    try {
      for (const rel of NOTED) {
        await pageTest(t, `${rel} @${width}px`, rel, async (f) => {
          const page = await open(ctx, rel);
          await page.waitForFunction(() => document.querySelector('section.notes.sidenotes'), null, { timeout: 5000 })
            .catch(() => f.add('sidenotes', `section.notes @${width}px`, 'never laid out as sidenotes'));
          for (const p of await page.evaluate(sidenoteProblems)) f.add('sidenotes', `@${width}px`, p);
          laid += await page.evaluate(() => document.querySelectorAll('.notes-list > li').length);
          const marked = await page.evaluate(() => document.querySelectorAll('sup.note-ref > a[aria-expanded]').length);
          if (marked) f.add('sidenotes', `@${width}px`, `${marked} markers have aria-expanded, though a note already stands beside each`);
          // a quote opened in the margin pushes the notes below it down
          const summary = await page.$('.notes-list details.cite-quote > summary');
          if (summary) {
            await summary.click();
            await page.waitForTimeout(150);
            for (const p of await page.evaluate(sidenoteProblems)) f.add('sidenotes', `@${width}px, a quote opened`, p);
          }
          // narrowed to a phone and widened again
          await page.setViewportSize({ width: 390, height: 900 });
          const narrow = await settle(page, () => {
            const s = document.querySelector('section.notes');
            return !s.classList.contains('sidenotes') && getComputedStyle(s).position === 'static' ? { ok: true } : { ok: false };
          });
          if (!narrow.ok) f.add('sidenotes', `@${width}px -> 390px`, 'the notes did not return to the list at the end');
          await page.setViewportSize({ width, height: 900 });
          await page.waitForFunction(() => document.querySelector('section.notes.sidenotes'), null, { timeout: 5000 }).catch(() => {});
          await page.waitForTimeout(150);
          for (const p of await page.evaluate(sidenoteProblems)) f.add('sidenotes', `@390px -> ${width}px`, p);
          await page.close();
          if (!NOTED.length) return 'no notes';
        });
      }
    } finally { await ctx.close(); }
  }
  t.diagnostic(`${laid} sidenotes checked`);
  strictNeeds('no page has notes', laid > 0);
});

test('popover: a tap on a marker opens its note under the paragraph (390 px, JavaScript on)', { timeout: 600e3 }, async (t) => {
  let opened = 0;
  const ctx = await newContext({ viewport: { width: 390, height: 800 }, hasTouch: true });
  try {
    for (const rel of NOTED) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        const count = await page.evaluate(() => document.querySelectorAll('sup.note-ref > a').length);
        const missing = await page.evaluate(() => [...document.querySelectorAll('sup.note-ref > a')]
          .filter((a) => a.getAttribute('aria-expanded') !== 'false').length);
        if (missing) f.add('popover', 'sup.note-ref > a', `${missing} of ${count} markers lack aria-expanded="false"`);
        // the first three markers, and the last one
        const picks = [...new Set([0, 1, 2, count - 1].filter((i) => i >= 0 && i < count))];
        for (const i of picks) {
          const a = (await page.$$('sup.note-ref > a'))[i];
          const n = (await a.getAttribute('href')).slice(3);
          await a.tap();
          const shown = await settle(page, (n) => {
            const a = document.querySelector(`sup.note-ref > a[href="#n-${n}"]`);
            const pop = document.getElementById(a.getAttribute('aria-controls') || '');
            if (a.getAttribute('aria-expanded') !== 'true') return { ok: false, why: 'aria-expanded is not "true"' };
            if (!pop) return { ok: false, why: 'no element named by aria-controls' };
            if (pop.getAttribute('role') !== 'doc-footnote') return { ok: false, why: `role="${pop.getAttribute('role')}"` };
            const r = pop.getBoundingClientRect();
            if (!r.height || getComputedStyle(pop).visibility !== 'visible') return { ok: false, why: 'the note is not visible' };
            if (!pop.contains(document.activeElement)) return { ok: false, why: `focus is on ${document.activeElement?.tagName}, not in the note` };
            const note = document.getElementById('n-' + n);
            const want = [...note.querySelectorAll('.cite-source, summary')].map((e) => e.textContent.trim());
            const got = pop.textContent;
            const lost = want.filter((w) => !got.includes(w));
            if (lost.length) return { ok: false, why: `the note lacks ${JSON.stringify(lost[0])}` };
            const block = a.closest('p, li, td, th, dd, dt, figcaption, h1, h2, h3, h4, h5, h6');
            if (block && pop.getBoundingClientRect().top < a.getBoundingClientRect().bottom - 1) return { ok: false, why: 'the note opened above its marker' };
            return { ok: true };
          }, n);
          if (!shown.ok) { f.add('popover', `marker ${n}`, `a tap did not open the note: ${shown.why}`); continue; }
          opened++;
          await a.scrollIntoViewIfNeeded();
          await a.tap();
          const shut = await settle(page, (n) => {
            const a = document.querySelector(`sup.note-ref > a[href="#n-${n}"]`);
            return !document.querySelector('.note-pop') && a.getAttribute('aria-expanded') === 'false' ? { ok: true } : { ok: false };
          }, n);
          if (!shut.ok) f.add('popover', `marker ${n}`, 'a second tap did not close the note (or aria-expanded stayed "true")');
          await a.tap();
          await settle(page, () => (document.querySelector('.note-pop') ? { ok: true } : { ok: false }));
          await page.keyboard.press('Escape');
          const esc = await settle(page, (n) => {
            const a = document.querySelector(`sup.note-ref > a[href="#n-${n}"]`);
            if (document.querySelector('.note-pop')) return { ok: false, why: 'the note is still open' };
            if (document.activeElement !== a) return { ok: false, why: `focus is on ${document.activeElement?.tagName}, not on the marker` };
            return a.getAttribute('aria-expanded') === 'false' ? { ok: true } : { ok: false, why: 'aria-expanded stayed "true"' };
          }, n);
          if (!esc.ok) f.add('popover', `marker ${n}`, `Escape: ${esc.why}`);
        }
        // tap targets, with the notes listed at the end
        const small = await page.evaluate(() => {
          const out = [];
          for (const a of document.querySelectorAll('sup.note-ref > a')) {
            const r = a.getBoundingClientRect();
            if (r.width < 24 || r.height < 24) out.push(`marker ${a.textContent} is ${r.width.toFixed(1)} x ${r.height.toFixed(1)}px`);
          }
          for (const a of document.querySelectorAll('a.note-back')) {
            const r = a.getBoundingClientRect();
            if (r.width < 44 || r.height < 44) out.push(`back-link ${a.getAttribute('href')} is ${r.width.toFixed(1)} x ${r.height.toFixed(1)}px`);
          }
          return out;
        });
        for (const s of small.slice(0, 5)) f.add('targets', '@390px', s);
        await page.close();
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${opened} notes opened and closed`);
  strictNeeds('no note opened on a phone', opened > 0);
});

test('no-js: notes listed at the end, marker -> note -> back (390, 1440 px)', { timeout: 600e3 }, async (t) => {
  let trips = 0;
  for (const width of [390, 1440]) {
    const ctx = await newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    try {
      for (const rel of NOTED) {
        await pageTest(t, `${rel} @${width}px`, rel, async (f) => {
          const page = await open(ctx, rel);
          const listed = await page.evaluate(() => {
            const s = document.querySelector('section.notes');
            const cs = getComputedStyle(s);
            const prose = document.querySelector('.prose').getBoundingClientRect();
            const r = s.getBoundingClientRect();
            return { position: cs.position, visibility: cs.visibility, below: r.top >= prose.bottom - 1 };
          });
          if (listed.position !== 'static' || listed.visibility !== 'visible' || !listed.below) {
            f.add('no-js', `section.notes @${width}px`, `not listed after the text: ${JSON.stringify(listed)}`);
          }
          const markers = await page.$$('sup.note-ref > a');
          for (const a of [markers[0], markers[markers.length - 1]].filter(Boolean)) {
            const href = await a.getAttribute('href');
            const ref = await a.evaluate((el) => el.parentElement.id);
            await a.click();
            const there = await settle(page, (id) => {
              const note = document.getElementById(id);
              const r = note.getBoundingClientRect();
              return location.hash === '#' + id && note.matches(':target') && r.top >= 0 && r.top < innerHeight ? { ok: true } : { ok: false };
            }, href.slice(1));
            if (!there.ok) { f.add('no-js', `marker ${href} @${width}px`, 'did not move to its note'); continue; }
            await page.click(`li${href} a.note-back[href="#${ref}"]`);
            const back = await settle(page, (id) => {
              const r = document.getElementById(id).getBoundingClientRect();
              return location.hash === '#' + id && r.top >= 0 && r.top < innerHeight ? { ok: true } : { ok: false };
            }, ref);
            if (!back.ok) f.add('no-js', `a.note-back[href="#${ref}"] @${width}px`, 'did not return to the marker');
            else trips++;
          }
          await page.close();
        });
      }
    } finally { await ctx.close(); }
  }
  t.diagnostic(`${trips} round trips without JavaScript`);
  strictNeeds('no footnote round trip without JavaScript', trips > 0);
});

test('print: notes listed with their targets (1440 px, JavaScript on)', { timeout: 600e3 }, async (t) => {
  const ctx = await newContext({ viewport: { width: 1440, height: 900 }, hasTouch: false });
  try {
    for (const rel of NOTED) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        await page.waitForFunction(() => document.querySelector('section.notes.sidenotes'), null, { timeout: 5000 }).catch(() => {});
        await page.emulateMedia({ media: 'print' });
        const p = await page.evaluate(() => {
          const s = document.querySelector('section.notes');
          const li = s.querySelector('.notes-list > li');
          const line = s.querySelector('a.cite-line');
          return {
            section: getComputedStyle(s).position, visibility: getComputedStyle(s).visibility, li: getComputedStyle(li).position,
            after: line ? getComputedStyle(line, '::after').content : null, href: line?.getAttribute('href'),
          };
        });
        if (p.section !== 'static' || p.li === 'absolute' || p.visibility !== 'visible') f.add('print', 'section.notes', `not listed in print: ${JSON.stringify(p)}`);
        if (p.href && !(p.after || '').includes(p.href)) f.add('print', 'a.cite-line::after', `content ${p.after} does not show ${p.href}`);
        await page.close();
      });
    }
    // an open note under a paragraph is not printed twice
    if (NOTED.length) {
      await pageTest(t, `${NOTED[0]} @390px, a note open`, NOTED[0], async (f) => {
        const page = await open(ctx, NOTED[0]);
        await page.setViewportSize({ width: 390, height: 900 });
        await page.waitForFunction(() => !document.querySelector('section.notes.sidenotes'));
        await page.click('sup.note-ref > a');
        await page.emulateMedia({ media: 'print' });
        const shown = await page.evaluate(() => { const p = document.querySelector('.note-pop'); return p && getComputedStyle(p).display; });
        if (shown !== 'none') f.add('print', '.note-pop', `an open note prints under its paragraph too (display: ${shown})`);
        await page.close();
      });
    }
  } finally { await ctx.close(); }
});

function axeFindings(f, res, where) {
  for (const v of res.violations) for (const n of v.nodes.slice(0, 3)) f.add('axe', `${n.target.join(' ')} ${where}`, `${v.id}: ${n.failureSummary || v.help}`);
}

test('axe: a note open on a phone, sidenotes on a wide screen, light and dark', { timeout: 600e3 }, async (t) => {
  for (const colorScheme of ['dark', 'light']) {
    for (const width of [390, 1440]) {
      const ctx = await newContext({ viewport: { width, height: 900 }, colorScheme });
      try {
        for (const rel of NOTED) {
          await pageTest(t, `${rel} @${width}px ${colorScheme}`, rel, async (f) => {
            const page = await open(ctx, rel);
            if (width === 390) {
              await page.click('sup.note-ref > a');
              await page.waitForSelector('.note-pop');
              const s = await page.$('.note-pop details.cite-quote > summary');
              if (s) await s.click();
            } else {
              await page.waitForFunction(() => document.querySelector('section.notes.sidenotes'), null, { timeout: 5000 }).catch(() => {});
              const s = await page.$('.notes-list details.cite-quote > summary');
              if (s) await s.click();
              await page.evaluate(() => { const li = document.querySelector('.notes-list > li'); location.hash = li.id; });
            }
            await page.waitForTimeout(100);
            axeFindings(f, await runAxe(page), `@${width}px ${colorScheme}`);
            await page.close();
          });
        }
      } finally { await ctx.close(); }
    }
  }
});

test('cls: loading lays nothing out twice (390, 1440 px)', { timeout: 600e3 }, async (t) => {
  for (const width of [390, 1440]) {
    const ctx = await newContext({ viewport: { width, height: 900 } });
    try {
      for (const rel of PAGES) {
        await pageTest(t, `${rel} @${width}px`, rel, async (f) => {
          const page = await open(ctx, rel);
          await page.waitForTimeout(500);
          const shifts = await page.evaluate(() => window.__shifts);
          const cls = shifts.reduce((a, b) => a + b, 0);
          if (cls >= 0.01) f.add('cls', `@${width}px`, `layout shift ${cls.toFixed(4)} while loading (${shifts.length} shifts)`);
          await page.close();
        });
      }
    } finally { await ctx.close(); }
  }
});

test('rtl: an Arabic or Hebrew quote in a note reads right to left', { timeout: 600e3 }, async (t) => {
  let rtl = 0;
  const ctx = await newContext({ viewport: { width: 390, height: 900 } });
  try {
    for (const rel of NOTED) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        const res = await page.evaluate(() => {
          const out = { n: 0, wrong: [] };
          for (const el of document.querySelectorAll('.notes-list summary, .notes-list blockquote.cite-text')) {
            const first = (el.textContent.match(/[A-Za-z\u00C0-\u024F\u0590-\u08FF]/) || [''])[0];
            if (!/[\u0590-\u08FF]/.test(first)) continue;
            out.n++;
            if (getComputedStyle(el).direction !== 'rtl') out.wrong.push(el.textContent.trim().slice(0, 40));
          }
          return out;
        });
        rtl += res.n;
        for (const w of res.wrong) f.add('rtl', 'note quote', `reads left to right: ${w}`);
        await page.close();
        if (!res.n) return 'no right-to-left quote on this page';
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${rtl} right-to-left quotes`);
});

test('header: one row on a phone, the menu a disclosure; one row at 1280 px with one more page', { timeout: 600e3 }, async (t) => {
  const phone = await newContext({ viewport: { width: 390, height: 800 }, javaScriptEnabled: false });
  const wide = await newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await pageTest(t, `${HOME} @390px, JavaScript off`, HOME, async (f) => {
      const page = await open(phone, HOME);
      const h = await page.evaluate(() => {
        const header = document.querySelector('.site-header');
        if (!header) return null;
        const title = document.querySelector('.site-title').getBoundingClientRect();
        const menu = document.querySelector('details.nav-menu > summary')?.getBoundingClientRect();
        return { height: header.getBoundingClientRect().height, title: title.top + title.height / 2, menu: menu && menu.top + menu.height / 2, menuH: menu?.height, menuW: menu?.width };
      });
      if (!h) return 'no .site-header';
      if (h.height > 72) f.add('header', '.site-header @390px', `${Math.round(h.height)}px tall`);
      if (!h.menu) { f.add('header', 'details.nav-menu', 'no menu disclosure'); return; }
      if (Math.abs(h.menu - h.title) > 4) f.add('header', 'details.nav-menu', 'not on the title\'s row');
      if (h.menuH < 44 || h.menuW < 44) f.add('header', 'details.nav-menu > summary', `tap target ${h.menuW} x ${h.menuH}px`);
      await page.click('details.nav-menu > summary');
      const links = await page.evaluate(() => [...document.querySelectorAll('details.nav-menu a')].map((a) => {
        const r = a.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return { href: a.getAttribute('href'), ok: r.height > 0 && r.right <= document.documentElement.clientWidth && (hit === a || a.contains(hit)) };
      }));
      if (!links.length) f.add('header', 'details.nav-menu', 'the open menu has no links');
      for (const l of links) if (!l.ok) f.add('header', `details.nav-menu a[href="${l.href}"]`, 'not visible and on top when the menu is open');
      await page.close();
    });
    await pageTest(t, `${HOME} @1280px, one more page`, HOME, async (f) => {
      const page = await open(wide, HOME);
      const rows = await page.evaluate(() => {
        const ul = document.querySelector('.site-nav ul.nav-wide');
        if (!ul) return null;
        const longest = [...ul.children].sort((a, b) => b.textContent.length - a.textContent.length)[0];
        const count = () => new Set([document.querySelector('.site-title'), ...ul.querySelectorAll('a')]
          .map((a) => Math.round(a.getBoundingClientRect().top / 8))).size;
        const before = count();
        ul.append(longest.cloneNode(true));
        return { before, after: count() };
      });
      if (!rows) { f.add('header', 'ul.nav-wide', 'no menu list'); return; }
      if (rows.before !== 1) f.add('header', '.site-nav @1280px', `the menu takes ${rows.before} rows`);
      if (rows.after !== 1) f.add('header', '.site-nav @1280px', `with one more page the menu takes ${rows.after} rows`);
      await page.close();
    });
  } finally { await phone.close(); await wide.close(); }
});

test('table code: inline code in a table breaks only between words', { timeout: 600e3 }, async (t) => {
  let codes = 0;
  const ctx = await newContext({ viewport: { width: 390, height: 900 } });
  try {
    for (const rel of PAGES) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        const res = await page.evaluate(() => {
          const broken = [];
          const els = [...document.querySelectorAll('td code, th code')];
          for (const c of els) {
            // each word alone: a word on more than one line was broken inside
            const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const re = /\S+/g;
              let m;
              while ((m = re.exec(node.data))) {
                const r = document.createRange();
                r.setStart(node, m.index);
                r.setEnd(node, m.index + m[0].length);
                const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
                if (tops.size > 1) broken.push(m[0]);
              }
            }
          }
          return { n: els.length, broken };
        });
        codes += res.n;
        for (const w of res.broken.slice(0, 5)) f.add('table-code', 'td code @390px', `"${w}" is broken across lines`);
        await page.close();
        if (!res.n) return 'no code in a table';
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${codes} code spans in tables`);
});
