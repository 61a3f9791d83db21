// Browser tests of /search/ (README: Search), on one built site, with Node's test runner:
//
//   SITE_DIR=target/site-check/site node --test tests/site-check/search.test.mjs
//
// The words searched for are taken from the built site itself, so the tests run on any site
// that has /search/ (a site built with `search = false` skips them all):
//   index     through Pagefind's own API (pagefind/pagefind.js): a word of a source line finds
//             a sub-result linking to `sources/ID/index.html#LN` of a line that holds it; a word
//             of the home page's first cited sentence finds its claim's anchor (`#r-N`); a word
//             of the home page's title finds the page
//   ui        /search/?q=WORD at 390 and 1280 px: the UI lists the line's record, its link goes
//             to the line's anchor, and following it puts that line in view as :target
//   requests  nothing is requested outside the site while searching
//   axe       axe-core (WCAG 2.1 A/AA) on /search/ with results shown, light and dark
//   no-js     with JavaScript off the form and its explanation are shown, with links to
//             /claims/ and /sources/
// Findings go to FINDINGS_FILE as in behaviour.test.mjs ("LABEL/search: check: detail"). The
// setup shared with the other *.test.mjs files (SITE_DIR, the server, Chromium, the findings
// file) lives in common.mjs; here the browser starts only when the site has /search/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useSite, setupBrowser, runAxe, allFindings, ROOT, LABEL, browser, srv } from './common.mjs';

useSite('search.test.mjs');
const HAS_SEARCH = fs.existsSync(path.join(ROOT, 'search/index.html'));
const skip = HAS_SEARCH ? false : 'the site has no /search/ (search = false)';

function finding(check, detail) {
  allFindings.push(`${LABEL}/search/index.html: ${check}: ${String(detail).replace(/\s+/g, ' ').trim()}`);
}

// The browser only for a site with /search/.
setupBrowser({ when: HAS_SEARCH });

// Every request the context makes; any outside the site is refused and remembered.
async function newContext(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  ctx.__outside = [];
  await ctx.route((u) => !u.href.startsWith(srv.base), (r) => {
    if (!/^(data|blob|about):/.test(r.request().url())) ctx.__outside.push(r.request().url());
    return r.abort('blockedbyclient');
  });
  return ctx;
}

// Words of at least 5 letters, each once.
const words = (text) => [...new Set((text.match(/\p{L}{5,}/gu) || []))];

// A probe of the built site: a source line's word and the anchors of every line holding it,
// a word of the home page's first cited sentence, a word of the home page's title.
async function probe(page) {
  return page.evaluate(async () => {
    const home = new DOMParser().parseFromString(await (await fetch('../index.html')).text(), 'text/html');
    const sources = new DOMParser().parseFromString(await (await fetch('../sources/index.html')).text(), 'text/html');
    const link = [...sources.querySelectorAll('main a[href]')].map((a) => a.getAttribute('href'))
      .find((h) => /sources\/[^/]+\/index\.html$/.test(h));
    const srcUrl = new URL(link, new URL('../sources/index.html', location.href));
    const src = new DOMParser().parseFromString(await (await fetch(srcUrl)).text(), 'text/html');
    const lines = [...src.querySelectorAll('li.line[id^="L"]')].map((li) => ({
      id: li.id, text: (li.querySelector('.lt') || li).textContent,
    }));
    const marker = home.querySelector('main sup.note-ref');
    const para = marker ? marker.closest('p, li, td, h2, h3') : null;
    return {
      srcPath: srcUrl.pathname, lines,
      // The words before the first marker: its claim's text.
      claim: para ? (() => { const r = home.createRange(); r.setStart(para, 0); r.setEndBefore(marker); return r.toString(); })() : '',
      title: (home.querySelector('h1') || {}).textContent || '',
    };
  });
}

test('search: index, UI, requests, axe, no-JS', { skip, timeout: 300e3 }, async (t) => {
  const ctx = await newContext();
  try {
    const page = await ctx.newPage();
    await page.goto(srv.base + 'search/index.html', { waitUntil: 'load' });
    const p = await probe(page);
    const root = new URL(srv.base).pathname;
    // A word that few lines hold, a name (capitalised, not opening its line) where there is one.
    const count = (w) => p.lines.filter((l) => l.text.includes(w)).length;
    const name = (w) => (/^\p{Lu}/u.test(w) && p.lines.some((l) => l.text.trim().indexOf(w) > 0) ? 0 : 1);
    const lineWord = words(p.lines.map((l) => l.text).join(' '))
      .sort((a, b) => count(a) - count(b) || name(a) - name(b))[0];
    assert.ok(lineWord, 'the first source has a word of five letters or more');
    const lineUrls = p.lines.filter((l) => l.text.includes(lineWord)).map((l) => `${p.srcPath}#${l.id}`);
    t.diagnostic(`line word "${lineWord}" (${lineUrls.join(' ')})`);

    const api = async (term) => page.evaluate(async ({ term, root }) => {
      const pf = await import(root + 'pagefind/pagefind.js');
      await pf.options({ baseUrl: root });
      const r = await pf.search(term);
      // A page's or source's own URL, and its anchors' (a claim's #r-N, a line's #LN).
      const data = await Promise.all(r.results.map((x) => x.data()));
      return data.flatMap((d) => [d.url, ...(d.sub_results || []).map((s) => s.url)]);
    }, { term, root });

    await t.test('index: a source line, a claim and a page are found by their words', async () => {
      const found = await api(lineWord);
      assert.ok(found.some((u) => lineUrls.includes(u)), `"${lineWord}": ${found.slice(0, 8).join(' ')} (expected one of ${lineUrls.join(' ')})`);
      const claimWord = words(p.claim).sort((a, b) => b.length - a.length)[0];
      assert.ok(claimWord, 'the home page has a cited sentence');
      t.diagnostic(`claim word "${claimWord}"`);
      const claims = await api(claimWord);
      assert.ok(claims.some((u) => /^\/(index\.html)?#r-\d+$/.test(u.replace(root, '/'))), `"${claimWord}": ${claims.join(' ')}`);
      const titleWord = words(p.title)[0] || p.title.trim().split(/\s+/)[0];
      const pages = await api(titleWord);
      assert.ok(pages.some((u) => u.replace(root, '/') === '/index.html'), `"${titleWord}": ${pages.join(' ')}`);
    });

    for (const width of [390, 1280]) {
      await t.test(`ui @${width}px: the result links to the line, and the link lands on it`, async () => {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(srv.base + 'search/index.html?q=' + encodeURIComponent(lineWord), { waitUntil: 'load' });
        await page.waitForSelector('.pagefind-ui__result-link', { timeout: 20000 });
        // The UI shows five results at a time: "Load more" until the line's is among them.
        let hrefs = [], hit;
        for (let i = 0; i < 40 && !hit; i++) {
          hrefs = await page.$$eval('.pagefind-ui__result-link', (as) => as.map((a) => new URL(a.href).pathname + new URL(a.href).hash));
          hit = hrefs.find((h) => lineUrls.includes(h));
          if (hit || !(await page.isVisible('.pagefind-ui__button'))) break;
          const before = hrefs.length;
          await page.click('.pagefind-ui__button');
          await page.waitForFunction((n) => document.querySelectorAll('.pagefind-ui__result-link').length > n, before, { timeout: 10000 });
        }
        assert.ok(hit, `results ${hrefs.join(' ')}; expected one of ${lineUrls.join(' ')}`);
        assert.equal(await page.isVisible('#search-form'), false, 'the no-JS form is hidden once search runs');
        // Results are text: markup in a source line or title stays text (no element of it).
        assert.deepEqual(await page.$$eval('#search img, #search script, #search b', (els) => els.map((e) => e.outerHTML)), []);
        await page.click(`.pagefind-ui__result-link[href$="${hit.split('#')[1] ? '#' + hit.split('#')[1] : ''}"]`);
        await page.waitForLoadState('load');
        const target = await page.evaluate(() => {
          const el = document.querySelector(':target');
          if (!el) return { ok: false, why: 'no :target' };
          const r = el.getBoundingClientRect();
          return { ok: r.bottom > 0 && r.top < innerHeight, id: el.id, why: `top ${Math.round(r.top)}` };
        });
        assert.ok(target.ok, `${hit}: ${target.why}`);
        assert.equal('#' + target.id, '#' + hit.split('#')[1]);
      });
    }

    for (const scheme of ['light', 'dark']) {
      await t.test(`axe ${scheme}: /search/ with results`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(srv.base + 'search/index.html?q=' + encodeURIComponent(lineWord), { waitUntil: 'load' });
        await page.waitForSelector('.pagefind-ui__result-link', { timeout: 20000 });
        const res = await runAxe(page);
        const bad = res.violations.flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target.join(' ')}: ${v.help}${v.id === 'color-contrast' ? ` (${n.any[0]?.message || ''})` : ''}`));
        bad.forEach((b) => finding(`axe ${scheme}`, b));
        assert.deepEqual(bad, []);
      });
    }

    const markup = p.lines.find((l) => /<[a-z]/i.test(l.text));
    if (markup) {
      await t.test('markup in a source line is shown as text in the results', async () => {
        const word = words(markup.text).sort((a, b) => count(a) - count(b))[0];
        await page.goto(srv.base + 'search/index.html?q=' + encodeURIComponent(word), { waitUntil: 'load' });
        await page.waitForSelector('.pagefind-ui__result-link', { timeout: 20000 });
        await page.waitForTimeout(300);
        const excerpts = await page.$$eval('.pagefind-ui__result-excerpt', (els) => els.map((e) => e.textContent).join(' | '));
        assert.match(excerpts, /</, `"${word}": ${excerpts}`);
        assert.deepEqual(await page.$$eval('#search img, #search script, #search b', (els) => els.map((e) => e.outerHTML)), []);
      });
    }

    await t.test('requests: nothing outside the site', () => {
      ctx.__outside.forEach((u) => finding('request outside the site', u));
      assert.deepEqual(ctx.__outside, []);
    });
  } finally { await ctx.close(); }

  await t.test('no-js: the form explains why, and links to claims and sources', async () => {
    const off = await newContext({ javaScriptEnabled: false });
    try {
      const page = await off.newPage();
      await page.goto(srv.base + 'search/index.html', { waitUntil: 'load' });
      assert.equal(await page.isVisible('#search-form'), true);
      const text = await page.textContent('#search-needs-js');
      assert.match(text, /needs JavaScript/);
      const links = await page.$$eval('#search-needs-js a', (as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, ['../claims/index.html', '../sources/index.html']);
      assert.equal(await page.$eval('#search', (el) => el.children.length), 0);
    } finally { await off.close(); }
  });
});
