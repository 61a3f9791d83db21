// Browser-behaviour tests of one built explainer site, run with Node's own test runner:
//
//   SITE_DIR=target/site-check/site node --test --test-reporter=spec tests/site-check/behaviour.test.mjs
//
// The site is served on 127.0.0.1 (server.mjs) and driven in Debian's headless Chromium
// (playwright-core, never Playwright's own browser downloads); that setup, shared with the other
// *.test.mjs files (SITE_DIR, the server, Chromium, the findings), lives in common.mjs. What is
// checked, per page:
//   footnotes   clicking a marker `sup.note-ref > a` moves to its note (hash #n-N, note in view,
//               not hidden under a sticky header); the note's `a.note-back` for that marker
//               returns to it (at 390 px with JavaScript off, where the notes are listed at the
//               end; at 1280 px with it on, where they stand in the margin: notes.test.mjs
//               checks the notes a tap opens on phones)
//   no-js       with JavaScript off, each `details.cite-quote` opens by clicking its summary and
//               the quoted text becomes visible
//   target      following a link to `sources/ID/index.html#LN` (clicked on the page that has it,
//               and loaded directly on every provenance page) puts line N in view, and its
//               computed style differs from an untargeted line (`.line:target` is visible)
//   overflow    at every width (SITE_CHECK_WIDTHS, default 320,390,1280) no page scrolls
//               sideways, with every <details> closed and again with all of them open
//   keyboard    Tab from the top reaches every visible link and summary; every focused element
//               shows a focus indicator (outline or box-shadow) and is on screen (with
//               prefers-reduced-motion: reduce, so smooth scrolling does not slow it down)
//   dark axe    axe-core (wcag2a/2aa/21a/21aa) with prefers-color-scheme: dark reports nothing,
//               with all <details> open (and a targeted line on provenance pages); the same in
//               light mode for what check.mjs cannot see (open details, targeted lines)
//   print       with print media `.site-nav` is display:none and `a.cite-line::after` has content
//
// Environment:
//   SITE_DIR        the built site (required)
//   SITE_LABEL      name used in findings (default: the folder name)
//   SITE_STRICT=1   fail when the site lacks what a check needs (footnotes, quotes, provenance
//                   lines, cite-line links, .site-nav); without it such checks are skipped
//   FINDINGS_FILE   append one line per finding to this file ("LABEL/PAGE: check: element: detail")
//   CHROMIUM_PATH   browser binary (default /usr/bin/chromium)
//   SITE_CHECK_MAX_PER_PAGE  footnote markers and quotes checked per page at most (default 60;
//                   an evenly spread sample, first and last included, on larger pages)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  useSite, setupBrowser, pageTest, localContext, urlOf, settle, runAxe,
  AXE_SOURCE, LABEL, STRICT, PAGES, HOME, browser,
} from './common.mjs';

useSite('behaviour.test.mjs');
const WIDTHS = (process.env.SITE_CHECK_WIDTHS || '320,390,1280').split(',').map(Number);
const isProvenance = (rel) => /^sources\/[^/]+\/index\.html$/.test(rel);

// Feature counts over the whole site, for SITE_STRICT.
const seen = { markers: 0, quotes: 0, lines: 0, citeLines: 0, targetLinks: 0, navPages: 0, targets: 0,
  focusStops: 0, axePages: 0, overflowLoads: 0, printCites: 0 };

// ---------------------------------------------------------------------------------------------
// browser (started, and findings written to FINDINGS_FILE, by common.mjs)

setupBrowser();

// Helpers defined in every page (also when page scripts are off: evaluate still runs).
const HELPERS = `
window.__desc = (el) => {
  if (!el || el.nodeType !== 1) return String(el);
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  for (const c of el.classList) s += '.' + c;
  const href = el.getAttribute('href');
  if (href !== null) s += '[href="' + href + '"]';
  if (!el.id && el.parentElement) {
    const p = el.parentElement.closest('[id]');
    if (p && p !== document.documentElement) s += ' in ' + p.tagName.toLowerCase() + '#' + p.id;
  }
  const t = (el.textContent || '').replace(/\\s+/g, ' ').trim();
  if (t && el.children.length < 3) s += ' "' + (t.length > 40 ? t.slice(0, 40) + '…' : t) + '"';
  return s;
};
// Top edge of el inside the viewport, and not covered by another box (sticky header).
window.__inView = (el) => {
  const r = el.getBoundingClientRect();
  const vh = window.innerHeight, vw = document.documentElement.clientWidth;
  if (r.bottom <= 0 || r.top >= vh - 4 || r.right <= 0 || r.left >= vw) {
    return { ok: false, why: 'outside the viewport (top ' + Math.round(r.top) + 'px, viewport height ' + vh + 'px)' };
  }
  const x = Math.min(Math.max(r.left + Math.min(8, r.width / 2), 1), vw - 1);
  const y = Math.min(Math.max(r.top + Math.min(4, r.height / 2), 1), vh - 1);
  const hit = document.elementFromPoint(x, y);
  if (hit && !el.contains(hit) && !hit.contains(el)) {
    return { ok: false, why: 'covered by ' + window.__desc(hit) + ' at its top edge' };
  }
  return { ok: true };
};
`;

// Only the local server is ever contacted (common.mjs).
const newContext = (opts = {}) => localContext(opts, HELPERS);

// One page per context, reused (a new page costs ~4x a navigation): each open() starts from
// about:blank, without print emulation, so no state carries over between checks.
async function open(ctx, rel, hash = '') {
  let page = ctx.__page;
  if (!page || page.isClosed()) page = ctx.__page = await ctx.newPage();
  else {
    await page.goto('about:blank');
    await page.emulateMedia({ media: null });
  }
  await page.goto(urlOf(rel, hash), { waitUntil: 'load', timeout: 30000 });
  // Helpers are needed even when scripts are disabled (init scripts then do not run).
  if (!(await page.evaluate('typeof window.__desc === "function"'))) await page.evaluate(HELPERS);
  return page;
}

// ---------------------------------------------------------------------------------------------
// 1. footnote markers and back-links

// A page of hundreds of notes (the 500-claim fixture) would take minutes to click through:
// past SITE_CHECK_MAX_PER_PAGE (default 60) markers or quotes, an evenly spread sample of
// that many is checked, the first and the last always among them.
const MAX_PER_PAGE = Number(process.env.SITE_CHECK_MAX_PER_PAGE || 60);
function spread(n) {
  if (n <= MAX_PER_PAGE) return [...Array(n).keys()];
  return [...new Set([...Array(MAX_PER_PAGE).keys()].map((k) => Math.round((k * (n - 1)) / (MAX_PER_PAGE - 1))))];
}

test('footnotes: marker -> note -> back to marker', { timeout: 600e3 }, async (t) => {
  // 390 px with the theme's own scrolling (smooth, if it asks for it); 1280 px with
  // prefers-reduced-motion: reduce, which is quicker and checks the other branch of the CSS.
  for (const width of [390, 1280]) {
    const ctx = await newContext({ viewport: { width, height: 900 }, ...(width > 390 ? { reducedMotion: 'reduce' } : { javaScriptEnabled: false }) });
    try {
      for (const rel of PAGES) {
        await pageTest(t, `${rel} @${width}px`, rel, async (f) => {
          const page = await open(ctx, rel);
          const markers = await page.evaluate(() => [...document.querySelectorAll('sup.note-ref')].map((s) => ({
            id: s.id, desc: window.__desc(s), href: s.querySelector('a')?.getAttribute('href') ?? null,
          })));
          if (width === 390) seen.markers += spread(markers.length).length;
          if (!markers.length) { return 'no sup.note-ref on this page'; }
          const links = await page.$$('sup.note-ref');
          for (const i of spread(markers.length)) {
            const m = markers[i];
            const where = `${m.desc} @${width}px`;
            if (!m.id) f.add('footnote', where, 'marker has no id, so no back-link can return to it');
            if (m.href === null) { f.add('footnote', where, 'marker has no <a> inside'); continue; }
            if (!m.href.startsWith('#')) { f.add('footnote', where, `marker link href="${m.href}" is not a same-page #fragment`); continue; }
            const noteId = decodeURIComponent(m.href.slice(1));
            const a = await links[i].$('a');
            await a.click();
            const there = await settle(page, ([noteId]) => {
              const hash = decodeURIComponent(location.hash.slice(1));
              const note = document.getElementById(noteId);
              if (!note) return { ok: false, why: `no element id="${noteId}"` };
              if (hash !== noteId) return { ok: false, why: `URL hash is "#${hash}", expected "#${noteId}"` };
              if (!note.matches(':target')) return { ok: false, why: `${window.__desc(note)} is not :target` };
              const v = window.__inView(note);
              return v.ok ? { ok: true } : { ok: false, why: `${window.__desc(note)} is ${v.why}` };
            }, [noteId]);
            if (!there.ok) { f.add('footnote', where, `click did not move to the note: ${there.why}`); continue; }
            if (!m.id) continue;
            const back = await page.evaluateHandle(([noteId, id]) => [...document.getElementById(noteId).querySelectorAll('a.note-back')]
              .find((b) => b.getAttribute('href') === '#' + id) ?? null, [noteId, m.id]);
            const backEl = back.asElement();
            if (!backEl) { f.add('footnote', `li#${noteId} @${width}px`, `no a.note-back with href="#${m.id}" (back-link to ${m.desc})`); continue; }
            await backEl.click();
            const home = await settle(page, ([id]) => {
              const hash = decodeURIComponent(location.hash.slice(1));
              if (hash !== id) return { ok: false, why: `URL hash is "#${hash}", expected "#${id}"` };
              const v = window.__inView(document.getElementById(id));
              return v.ok ? { ok: true } : { ok: false, why: `marker is ${v.why}` };
            }, [m.id]);
            if (!home.ok) f.add('footnote', `a.note-back[href="#${m.id}"] in li#${noteId} @${width}px`, `back-link did not return to the marker: ${home.why}`);
          }
        });
      }
    } finally { await ctx.close(); }
  }
  t.diagnostic(`${seen.markers} footnote markers clicked there and back, at 390 and 1280 px`);
  if (STRICT) assert.ok(seen.markers > 0, `${LABEL}: no page has a footnote marker sup.note-ref (SITE_STRICT)`);
});

// ---------------------------------------------------------------------------------------------
// 2. quoted source text without JavaScript

test('no-js: details.cite-quote opens by clicking its summary', { timeout: 600e3 }, async (t) => {
  const ctx = await newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } });
  try {
    for (const rel of PAGES) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        const handles = await page.$$('details.cite-quote');
        seen.quotes += handles.length;
        // guard: page scripts really are off (a script element added now must not run)
        const ran = await page.evaluate(() => { const sc = document.createElement('script'); sc.textContent = 'window.__ran = 1'; document.head.append(sc); return window.__ran === 1; });
        if (ran) throw new Error('scripts still run in the javaScriptEnabled:false context; the no-JS check would prove nothing');
        if (!handles.length) { return 'no details.cite-quote on this page'; }
        for (const d of spread(handles.length).map((i) => handles[i])) {
          const info = await d.evaluate((el) => ({
            desc: window.__desc(el).replace(/ ".*$/, '') + ' (summary "' + (el.querySelector(':scope > summary')?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40) + '")',
            open: el.open, hasSummary: !!el.querySelector(':scope > summary'),
            text: [...el.children].filter((c) => c.tagName !== 'SUMMARY').map((c) => c.textContent).join(' ').trim(),
          }));
          if (!info.hasSummary) { f.add('no-js quote', info.desc, 'has no <summary> child'); continue; }
          if (!info.text) { f.add('no-js quote', info.desc, 'holds no quoted text besides the summary'); continue; }
          if (!info.open) await (await d.$(':scope > summary')).click();
          const after = await d.evaluate((el) => {
            const body = [...el.children].filter((c) => c.tagName !== 'SUMMARY');
            const shown = body.some((c) => {
              const cs = getComputedStyle(c), r = c.getBoundingClientRect();
              return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && Number(cs.opacity) > 0;
            });
            return { open: el.open, shown };
          });
          if (!after.open) f.add('no-js quote', info.desc, 'clicking the summary with JavaScript off did not open it');
          else if (!after.shown) f.add('no-js quote', info.desc, 'opened, but the quoted text is not visible (zero size, hidden or transparent)');
        }
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${seen.quotes} details.cite-quote opened with JavaScript off`);
  if (STRICT) assert.ok(seen.quotes > 0, `${LABEL}: no page has a details.cite-quote (SITE_STRICT)`);
});

// ---------------------------------------------------------------------------------------------
// 3. provenance line targeted by URL

// In the page: is line `id` in view and styled differently from an untargeted line like it?
function targetState(id) {
  const li = document.getElementById(id);
  if (!li) return { ok: false, why: `no element id="${id}"` };
  const d = window.__desc(li).split(' ')[0];
  if (!li.matches(':target')) return { ok: false, why: `${d} is not :target (URL hash "${location.hash}")` };
  const v = window.__inView(li);
  if (!v.ok) return { ok: false, why: `${d} is ${v.why}` };
  const lines = [...document.querySelectorAll('li.line')].filter((l) => l !== li);
  const same = (l) => l.className === li.className;
  const ref = lines.find(same) ?? lines.find((l) => l.classList.contains('cited') === li.classList.contains('cited')) ?? lines[0];
  if (!ref) return { ok: true, note: 'only one line' };
  const props = ['backgroundColor', 'backgroundImage', 'outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow',
    'borderLeftStyle', 'borderLeftWidth', 'borderLeftColor', 'borderTopStyle', 'borderTopColor', 'color', 'fontWeight', 'textDecorationLine'];
  const sig = (el) => {
    const parts = [el, ...el.querySelectorAll(':scope > .lt, :scope > .ln')].map((e) => {
      const cs = getComputedStyle(e);
      const before = getComputedStyle(e, '::before');
      return props.map((p) => cs[p]).join('|') + '|' + before.content + before.backgroundColor;
    });
    return parts.join('/');
  };
  if (sig(li) === sig(ref)) return { ok: false, visible: true, why: `${d} looks the same as the untargeted ${window.__desc(ref).split(' ')[0]} (no :target style on background, outline, border, box-shadow, colour)` };
  return { ok: true };
}

test('target: sources/ID/index.html#LN scrolls to the line and marks it', { timeout: 600e3 }, async (t) => {
  const ctx = await newContext({ viewport: { width: 390, height: 900 } });
  try {
    // (a) every provenance page, loaded directly with a line fragment
    for (const rel of PAGES.filter(isProvenance)) {
      await pageTest(t, `${rel}#L… (loaded)`, rel, async (f) => {
        const probe = await open(ctx, rel);
        const ids = await probe.evaluate(() => [...document.querySelectorAll('li.line')].map((l) => ({ id: l.id, cited: l.classList.contains('cited') })));
        seen.lines += ids.length;
        if (!ids.length) return 'no li.line on this page';
        const missing = ids.filter((l) => !/^L\d+$/.test(l.id));
        if (missing.length) f.add('target', `li.line (${missing.length} of them)`, `without id="LN", e.g. id="${missing[0].id}"`);
        // line 7 when there is one (as in the brief), and the first cited line
        const pick = [ids.find((l) => l.id === 'L7') ?? ids[Math.floor(ids.length / 2)], ids.find((l) => l.cited)]
          .filter((l, i, a) => l && a.findIndex((x) => x?.id === l.id) === i);
        for (const l of pick) {
          const page = await open(ctx, rel, '#' + l.id);
          seen.targets++;
          const r = await settle(page, targetState, l.id);
          if (!r.ok) f.add('target', `li#${l.id}`, `${rel}#${l.id}: ${r.why}`);
        }
      });
    }
    // (b) on each other page, click its first link to a provenance line
    for (const rel of PAGES.filter((p) => !isProvenance(p))) {
      await pageTest(t, `${rel}: first link to sources/ID/index.html#LN (clicked)`, rel, async (f) => {
        const page = await open(ctx, rel);
        const counts = await page.evaluate(() => ({ cite: document.querySelectorAll('a.cite-line').length }));
        seen.citeLines += counts.cite;
        const link = await page.evaluateHandle(() => [...document.querySelectorAll('a[href]')]
          .find((a) => /(^|\/)sources\/[^/]+\/index\.html#L\d+$/.test(a.getAttribute('href'))
            && a.getClientRects().length > 0) ?? null);
        const a = link.asElement();
        if (!a) { return 'no visible link to a provenance line'; }
        seen.targetLinks++;
        const desc = await a.evaluate((el) => window.__desc(el));
        const href = await a.getAttribute('href');
        const want = new URL(href, page.url());
        await Promise.all([page.waitForURL((u) => u.pathname === want.pathname, { timeout: 10000 }).catch(() => {}), a.click()]);
        const got = new URL(page.url());
        if (got.pathname !== want.pathname || got.hash !== want.hash) {
          f.add('target', desc, `clicking it went to ${got.pathname}${got.hash}, expected ${want.pathname}${want.hash}`);
        } else {
          await page.waitForLoadState('load');
          if (!(await page.evaluate('typeof window.__desc === "function"'))) await page.evaluate(HELPERS);
          const r = await settle(page, targetState, decodeURIComponent(want.hash.slice(1)));
          if (!r.ok) f.add('target', desc, `after following it: ${r.why}`);
        }
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${seen.targets} provenance lines loaded by #LN, ${seen.targetLinks} links to #LN followed`);
  if (STRICT) {
    assert.ok(seen.lines > 0, `${LABEL}: no provenance page sources/ID/index.html with li.line (SITE_STRICT)`);
    assert.ok(seen.citeLines > 0 && seen.targetLinks > 0, `${LABEL}: no a.cite-line link to sources/ID/index.html#LN on any page (SITE_STRICT)`);
  }
});

// ---------------------------------------------------------------------------------------------
// 4. no horizontal scrolling

function overflowState() {
  const d = document.documentElement;
  if (d.scrollWidth <= d.clientWidth) return null;
  // Elements whose box, or whose visible overflowing content, reaches past the right edge;
  // the deepest of them are the culprits (their ancestors only inherit the overflow).
  const wide = [...document.body.querySelectorAll('*')].filter((el) => {
    const r = el.getBoundingClientRect();
    if (r.right > d.clientWidth + 1) return true;
    const ox = getComputedStyle(el).overflowX;
    return (ox === 'visible' || ox === 'clip') && r.left + el.scrollWidth > d.clientWidth + 1;
  });
  const culprits = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o))).map((el) => window.__desc(el));
  return { sw: d.scrollWidth, cw: d.clientWidth, wide: culprits.slice(0, 4) };
}

test('overflow: no page scrolls horizontally', { timeout: 600e3 }, async (t) => {
  for (const width of WIDTHS) {
    const ctx = await newContext({ viewport: { width, height: 900 } });
    try {
      for (const rel of PAGES) {
        await pageTest(t, `${rel} @${width}px`, rel, async (f) => {
          const page = await open(ctx, rel);
          seen.overflowLoads++;
          for (const state of ['details closed', 'all details open']) {
            if (state === 'all details open') {
              const n = await page.evaluate(() => { const ds = document.querySelectorAll('details'); ds.forEach((d) => { d.open = true; }); return ds.length; });
              if (!n) break;
            }
            const o = await page.evaluate(overflowState);
            if (o) f.add('overflow', o.wide.join(', ') || 'html', `at ${width}px with ${state}: scrollWidth ${o.sw} > clientWidth ${o.cw}`);
          }
        });
      }
    } finally { await ctx.close(); }
  }
  t.diagnostic(`${seen.overflowLoads} page loads at ${WIDTHS.join(', ')} px, each with <details> closed and open`);
});

// ---------------------------------------------------------------------------------------------
// 5. keyboard: Tab reaches every link and summary, with a visible focus indicator

const KBD_PAGES = process.env.SITE_CHECK_KEYBOARD === 'sample'
  ? [HOME, PAGES.find(isProvenance)].filter(Boolean)
  : PAGES;

test('keyboard: Tab reaches every link and summary with a visible focus indicator', { timeout: 600e3 }, async (t) => {
  // prefers-reduced-motion: reduce, so that a theme's smooth scrolling does not make each Tab
  // wait out an animation (the element ends up in the same place either way).
  const ctx = await newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  try {
    for (const rel of KBD_PAGES) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        const expected = await page.evaluate(() => {
          const els = [...document.querySelectorAll('a[href], details > summary')].filter((el) => {
            if (el.matches('summary') && el.parentElement.querySelector(':scope > summary') !== el) return false;
            if (el.closest('[inert]') || el.getAttribute('tabindex') === '-1') return false;
            // the content of a closed <details> is reached by opening it (geometry is still reported)
            if (el.closest('details:not([open]) > :not(summary)')) return false;
            const cs = getComputedStyle(el);
            return el.getClientRects().length > 0 && cs.visibility !== 'hidden';
          });
          els.forEach((el, i) => el.setAttribute('data-kbd', String(i)));
          return els.map((el) => window.__desc(el));
        });
        await page.evaluate(() => { document.activeElement?.blur?.(); window.scrollTo(0, 0); });
        const reached = new Set();
        const bad = new Map();
        let first = null;
        // A provenance line's number, once focused, offers a "Copy citation" button right after
        // it (explainer.js): one more Tab stop per line number passed, on top of the links.
        const offered = await page.evaluate(() => document.querySelectorAll('a.ln').length);
        for (let i = 0; i < expected.length + offered + 40; i++) {
          await page.keyboard.press('Tab');
          const s = await page.evaluate(async () => {
            const el = document.activeElement;
            const visible = () => {
              const r = el.getBoundingClientRect();
              return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < document.documentElement.clientWidth;
            };
            // If focus scrolls smoothly anyway, let the scroll position settle (unchanged for
            // 3 frames, at most 2 s) before judging whether the element is on screen.
            const frame = () => new Promise((ok) => requestAnimationFrame(ok));
            for (let still = 0, last = -1, t0 = performance.now(); !visible() && still < 3 && performance.now() - t0 < 2000;) {
              await frame();
              const pos = scrollX * 100000 + scrollY;
              still = pos === last ? still + 1 : 0;
              last = pos;
            }
            if (!el || el === document.body || el === document.documentElement) return null;
            const cs = getComputedStyle(el);
            const alpha = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return 1; const p = m[1].split(/[ ,/]+/).filter(Boolean); return p.length > 3 ? Number(p[3]) : 1; };
            const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && alpha(cs.outlineColor) > 0;
            const shadow = cs.boxShadow && cs.boxShadow !== 'none';
            const r = el.getBoundingClientRect();
            const onScreen = visible();
            return { idx: el.getAttribute('data-kbd'), desc: window.__desc(el), indicator: outline || shadow,
              style: `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}, box-shadow ${cs.boxShadow}`, onScreen,
              rect: `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}` };
          });
          if (!s) { if (reached.size) break; else continue; }
          const key = s.idx ?? s.desc;
          if (key === first) break; // wrapped around
          first ??= key;
          if (s.idx !== null) reached.add(s.idx);
          seen.focusStops++;
          if (!s.indicator) bad.set(`${s.desc}|ind`, [s.desc, `no visible focus indicator when focused by Tab (${s.style})`]);
          if (!s.onScreen) bad.set(`${s.desc}|off`, [s.desc, `focused by Tab but not on screen (box ${s.rect})`]);
        }
        // At most 8 elements per kind of problem and page, then a count (a theme that drops
        // focus outlines would otherwise list every line number of every provenance page).
        for (const kind of ['ind', 'off']) {
          const list = [...bad.entries()].filter(([k]) => k.endsWith('|' + kind)).map(([, v]) => v);
          for (const [el, why] of list.slice(0, 8)) f.add('keyboard', el, why);
          if (list.length > 8) f.add('keyboard', `${list.length - 8} more elements`, kind === 'ind' ? 'no visible focus indicator when focused by Tab' : 'focused by Tab but not on screen');
        }
        const missed = expected.map((d, i) => [String(i), d]).filter(([i]) => !reached.has(i));
        for (const [, d] of missed.slice(0, 10)) f.add('keyboard', d, 'never reached by pressing Tab');
        if (missed.length > 10) f.add('keyboard', `${missed.length - 10} more elements`, 'never reached by pressing Tab');
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${seen.focusStops} Tab stops checked on ${KBD_PAGES.length} pages`);
});

// ---------------------------------------------------------------------------------------------
// 6. axe-core in dark mode (and light mode where check.mjs does not look)

for (const scheme of ['dark', 'light']) {
  test(`axe: ${scheme} colour scheme, details open, targeted line`, { timeout: 600e3 }, async (t) => {
    const ctx = await newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    const axeBefore = seen.axePages;
    try {
      for (const rel of PAGES) {
        await pageTest(t, rel, rel, async (f) => {
          let hash = '';
          if (isProvenance(rel)) {
            const probe = await open(ctx, rel);
            const id = await probe.evaluate(() => (document.querySelector('li.line.cited[id]') ?? document.querySelector('li.line[id]'))?.id);
            if (id) hash = '#' + id;
          }
          // With every <details> open (a superset of the page as loaded: summaries stay, the
          // quoted text appears). In light mode only when that shows more than check.mjs saw.
          const states = ['details open'];
          const reported = new Set();
          for (const state of states) {
            const page = await open(ctx, rel, hash);
            const n = await page.evaluate(() => { const ds = document.querySelectorAll('details'); ds.forEach((d) => { d.open = true; }); return ds.length; });
            if (!n && !hash && scheme === 'light') { continue; }
            const label = n ? `${n} details open` : 'as loaded';
            const res = await runAxe(page);
            seen.axePages++;
            for (const v of res.violations) {
              for (const n of v.nodes) {
                const key = `${v.id} ${n.target.join(' ')}`;
                if (reported.has(key)) continue;
                reported.add(key);
                const extra = v.id === 'color-contrast' ? ` (${(n.any[0]?.message || '').replace(/\.$/, '')})` : '';
                f.add(`axe ${scheme} ${v.id}`, n.target.join(' '), `${v.help} [${v.impact}]${extra}; ${label}${hash ? `, ${hash} targeted` : ''}`);
              }
            }
          }
        });
      }
    } finally { await ctx.close(); }
    t.diagnostic(`axe-core (${scheme}) run on ${seen.axePages - axeBefore} page states (all <details> open; a cited line targeted on provenance pages)`);
  });
}

// ---------------------------------------------------------------------------------------------
// 7. print stylesheet

test('print: .site-nav hidden, a.cite-line shows its URL', { timeout: 600e3 }, async (t) => {
  const ctx = await newContext({ viewport: { width: 1280, height: 900 } });
  try {
    for (const rel of PAGES) {
      await pageTest(t, rel, rel, async (f) => {
        const page = await open(ctx, rel);
        await page.emulateMedia({ media: 'print' });
        const r = await page.evaluate(() => {
          const navs = [...document.querySelectorAll('.site-nav')].map((n) => ({ desc: window.__desc(n).split(' ')[0], display: getComputedStyle(n).display }));
          const cites = [...document.querySelectorAll('a.cite-line')].map((a) => ({ desc: window.__desc(a), content: getComputedStyle(a, '::after').content }));
          return { navs, cites };
        });
        seen.printCites += r.cites.length;
        if (r.navs.length) seen.navPages++;
        else if (STRICT) f.add('print', '.site-nav', 'the page has no .site-nav (every page should, per the HTML contract)');
        for (const n of r.navs) if (n.display !== 'none') f.add('print', n.desc, `visible in print (display: ${n.display})`);
        for (const c of r.cites) {
          if (['none', 'normal', '""', "''"].includes(c.content)) f.add('print', c.desc, `::after content is ${c.content} in print, so the link's URL is not shown`);
        }
      });
    }
  } finally { await ctx.close(); }
  t.diagnostic(`${PAGES.length} pages in print media, ${seen.printCites} a.cite-line::after checked`);
});

// ---------------------------------------------------------------------------------------------
// 8. copy citation on provenance pages (explainer.js): the focused line number offers
//    `[@KEY:N]` as a button reached with Tab, words selected in one line the quoted form; the
//    clipboard receives exactly that text and the page says so.

test('copy citation: a provenance line copies [@KEY:N] and a selection the quoted form', { timeout: 120e3 }, async (t) => {
  const rel = PAGES.find(isProvenance);
  if (!rel) return t.skip('no provenance page');
  const key = decodeURIComponent(rel.split('/')[1]);
  const ctx = await newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const page = await open(ctx, rel);
    const n = await page.evaluate(() => {
      const line = [...document.querySelectorAll('ol.source-lines > li.line')].find((l) => [...(l.querySelector('.lt')?.childNodes || [])].some((c) => c.nodeType === 3 && /\S\s+\S/.test(c.data)));
      return line ? line.id.slice(1) : null;
    });
    assert.ok(n, 'a line with two words');
    await page.focus(`#L${n} a.ln`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.closest('.cite-copy') !== null);
    assert.ok(focused, 'Tab from the line number reaches the copy button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Copied/.test(document.querySelector('.cite-copy [role=status]').textContent));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `[@${key}:${n}]`);
    // Select the first two words of the line.
    const words = await page.evaluate((n) => {
      // The first text node holding two words (quoted words stand in <mark>).
      const walk = document.createTreeWalker(document.querySelector(`#L${n} .lt`), NodeFilter.SHOW_TEXT);
      let text = walk.nextNode();
      while (text && !/\S\s+\S/.test(text.data)) text = walk.nextNode();
      const m = /^\s*(\S+\s+\S+)/.exec(text.data);
      const start = text.data.indexOf(m[1]);
      const r = document.createRange();
      r.setStart(text, start);
      r.setEnd(text, start + m[1].length);
      getSelection().removeAllRanges();
      getSelection().addRange(r);
      return m[1].replace(/\s+/g, ' ');
    }, n);
    const want = `[@${key}:${n} "${words.replace(/"/g, '\\"')}"]`;
    await page.waitForFunction((w) => document.querySelector('.cite-copy button').dataset.citation === w, want);
    await page.click('.cite-copy button');
    await page.waitForFunction(() => /Copied/.test(document.querySelector('.cite-copy [role=status]').textContent));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), want);
  } finally { await ctx.close(); }
});

// ---------------------------------------------------------------------------------------------
// 9. serve's error overlay: readable (axe color-contrast) in light and dark mode. Runs
//    `explainer serve` (EXPLAINER_BIN, default target/debug/explainer) on a small site, breaks
//    a citation and checks the overlay that appears.

test('serve overlay: axe color-contrast passes in light and dark mode', { timeout: 120e3 }, async (t) => {
  const { spawn } = await import('node:child_process');
  const os = await import('node:os');
  const here = path.dirname(new URL(import.meta.url).pathname);
  const bin = process.env.EXPLAINER_BIN || process.env.SITE_CHECK_BIN || path.join(here, '../../target/debug/explainer');
  if (!fs.existsSync(bin)) return t.skip(`no explainer binary at ${bin}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'overlay-'));
  fs.mkdirSync(path.join(tmp, 'sources'));
  fs.mkdirSync(path.join(tmp, 'content'));
  fs.writeFileSync(path.join(tmp, 'site.toml'), 'title = "Overlay"\n');
  fs.writeFileSync(path.join(tmp, 'sources', 'a.txt'), 'The harbour will reopen in March.\n');
  const pagePath = path.join(tmp, 'content', '_index.md');
  fs.writeFileSync(pagePath, '+++\ntitle = "Home"\n+++\n\nIt reopens [@a:1 "harbour will reopen"].\n');
  const server = spawn(bin, ['serve', '--port', '0', '--root', tmp], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.resume();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const url = await new Promise((resolve, reject) => {
      let buf = '';
      server.stdout.on('data', (d) => {
        buf += d;
        const m = buf.match(/serving (http:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const page = await ctx.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300); // the event stream connects
    fs.writeFileSync(pagePath, '+++\ntitle = "Home"\n+++\n\nIt reopens [@a:1 "harbour will close"].\n');
    await page.waitForSelector('#explainer-overlay pre', { timeout: 30000 });
    await page.addScriptTag({ content: AXE_SOURCE });
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      const res = await page.evaluate(() => window.axe.run('#explainer-overlay', { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] }));
      const bad = res.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`));
      assert.deepEqual(bad, [], `${colorScheme} mode`);
      const colors = await page.evaluate(() => {
        const s = getComputedStyle(document.querySelector('#explainer-overlay pre'));
        return [s.color, s.backgroundColor];
      });
      assert.notEqual(colors[0], colors[1]);
      assert.equal(colors[1], 'rgb(27, 27, 31)', `${colorScheme}: the pre keeps the overlay's background`);
    }
  } finally {
    await ctx.close();
    server.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
