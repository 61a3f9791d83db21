// The setup that the browser tests of this folder (behaviour, notes, indexes and search
// .test.mjs) share, written once: each test file imports what it needs from here.
//
//   useSite(FILE)        reads SITE_DIR (exits 2 with "FILE: set SITE_DIR to a built site
//                        folder" when it is not a folder) and sets ROOT, LABEL (SITE_LABEL,
//                        default the folder name), STRICT (SITE_STRICT=1), PAGES (every .html
//                        file under ROOT, sorted) and HOME (index.html, else the first page)
//   setupBrowser({ when })  registers node:test's before/after hooks: before, serve ROOT on
//                        127.0.0.1 (server.mjs) and launch headless Chromium (CHROMIUM_PATH,
//                        default /usr/bin/chromium), unless `when` is false (a site without
//                        what the file tests); after, close both and append allFindings to
//                        FINDINGS_FILE, one line each
//   recorder(rel), pageTest(t, name, rel, fn)   the findings of one page, one subtest per page
//   localContext(opts, init)  a browser context that contacts only the local server
//   urlOf, settle, runAxe, read, htmlFiles, AXE_SOURCE, AXE_TAGS, CHROMIUM, ARGS
//
// ROOT ... HOME and browser, srv are live bindings: set by useSite() at the top of a test file
// and by the before hook, so read them inside tests (or after useSite()), never copy them early.
// serve-latency.mjs imports CHROMIUM and ARGS only.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const require = createRequire(import.meta.url);
export const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---------------------------------------------------------------------------------------------
// the site

export let ROOT, LABEL, STRICT, PAGES, HOME;
export function useSite(file) {
  const SITE = process.env.SITE_DIR;
  if (!SITE || !fs.statSync(SITE, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`${file}: set SITE_DIR to a built site folder`);
    process.exit(2);
  }
  ROOT = path.resolve(SITE);
  LABEL = process.env.SITE_LABEL || path.basename(ROOT);
  STRICT = process.env.SITE_STRICT === '1';
  PAGES = htmlFiles(ROOT);
  HOME = PAGES.includes('index.html') ? 'index.html' : PAGES[0];
}

export function htmlFiles(root, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...htmlFiles(root, r));
    else if (e.isFile() && /\.html?$/i.test(e.name)) out.push(r);
  }
  return out.sort();
}
export const read = (rel) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

// ---------------------------------------------------------------------------------------------
// findings

// Every finding of the file, appended to FINDINGS_FILE by the after hook.
export const allFindings = [];
export function recorder(rel) {
  const list = [];
  return {
    list,
    add(check, element, detail) {
      const line = `${LABEL}/${rel}: ${check}: ${element}: ${String(detail).replace(/\s+/g, ' ').trim()}`;
      if (!list.includes(line)) { list.push(line); allFindings.push(line); }
    },
    done() { if (list.length) assert.fail(`${list.length} finding(s):\n  ${list.join('\n  ')}`); },
  };
}

// One subtest per page: fn(f) records findings and returns a string to skip the page (nothing
// to check there). An exception (a timeout, a page that does not load) becomes a finding too.
export async function pageTest(t, name, rel, fn) {
  await t.test(name, async (st) => {
    const f = recorder(rel);
    let skip;
    try { skip = await fn(f); } catch (e) { f.add('error', name, String(e?.message ?? e).split('\n')[0]); }
    if (typeof skip === 'string' && !f.list.length) return st.skip(skip);
    f.done();
  });
}

// ---------------------------------------------------------------------------------------------
// browser

export let browser, srv;
export function setupBrowser({ when = true } = {}) {
  before(async () => {
    if (!when) return;
    srv = await serve(ROOT);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
    if (process.env.FINDINGS_FILE && allFindings.length) {
      fs.appendFileSync(process.env.FINDINGS_FILE, allFindings.map((l) => l + '\n').join(''));
    }
  });
}

// A context (1280 x 900 unless opts say otherwise) with init, a script, run in every document;
// only the local server is ever contacted.
export async function localContext(opts = {}, init) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  if (init) await ctx.addInitScript({ content: init });
  await ctx.route((u) => /^(https?|wss?):/.test(u.protocol) && !u.href.startsWith(srv.base), (r) => r.abort('blockedbyclient'));
  return ctx;
}

export const urlOf = (rel, hash = '') => srv.base + rel.split('/').map(encodeURIComponent).join('/') + hash;

// Poll fn (evaluated in the page) until it returns { ok: true } or ~2 s pass.
export async function settle(page, fn, arg) {
  let v;
  for (let i = 0; i < 20; i++) {
    v = await page.evaluate(fn, arg);
    if (v && v.ok) return v;
    await page.waitForTimeout(100);
  }
  return v;
}

// axe-core with AXE_TAGS on the whole page: its violations.
export async function runAxe(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
}
