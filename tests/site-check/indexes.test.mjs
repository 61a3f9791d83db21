// Browser tests of the indexes (issue 14): /claims/, provenance pages and rosters, at 390,
// 1280 and 1440 px, light and dark, JavaScript on and off (off in the light scheme). Run by tests/site-check/run on every
// built site, like behaviour.test.mjs (same environment: SITE_DIR, SITE_LABEL, SITE_STRICT,
// FINDINGS_FILE, CHROMIUM_PATH; the setup they share lives in common.mjs). What is checked:
//   matrix    on claims/index.html (every page of /claims/ with a .matrix-section): the matrix is
//             wider than the text column where the screen allows; scrolled sideways to its end,
//             the claim column (th[scope=row]) still stands at the box's left edge and shows
//             its text; scrolled down inside its box, the header row stays at the box's top;
//             the page itself never scrolls sideways
//   marks     on provenance pages: every <mark> in a line has a background that differs from
//             its line's, and axe's color-contrast finds nothing on the marks (light and dark);
//             a line holding Arabic or Hebrew text reads right to left (dir=auto)
//   rosters   on pages with a .roster-table: at 390 px each member is a card (a block as wide
//             as the box at most, the outlet's name shown in each cell), with no sideways scroll
//             of the page or the table's box; at 1280 and 1440 px it is a table with its header
//   overflow  the three kinds of page never scroll sideways at any width, scheme or JS setting
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, setupBrowser, recorder, localContext, urlOf, read, AXE_SOURCE, LABEL, STRICT, PAGES } from './common.mjs';

useSite('indexes.test.mjs');
const WIDTHS = [390, 1280, 1440];
const SCHEMES = ['light', 'dark'];

const CLAIMS = PAGES.filter((p) => /^claims\/(\d+\/)?index\.html$/.test(p) && /matrix-section/.test(read(p)));
const PROVENANCE = PAGES.filter((p) => /^sources\/[^/]+\/index\.html$/.test(p) && !p.startsWith('sources/_pages/'));
const ROSTERS = PAGES.filter((p) => /roster-table/.test(read(p)));

setupBrowser();

// Every combination of width, colour scheme and JavaScript, one context each.
async function eachSetting(t, name, pages, fn) {
  if (!pages.length) {
    if (STRICT) assert.fail(`${LABEL}: ${name}: no page to check`);
    return t.skip(`no page of this kind in ${LABEL}`);
  }
  // JavaScript off in the light scheme only: the scheme changes colours, not layout.
  for (const width of WIDTHS) for (const scheme of SCHEMES) for (const js of scheme === 'light' ? [true, false] : [true]) {
    const ctx = await localContext({ viewport: { width, height: 900 }, colorScheme: scheme, javaScriptEnabled: js, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    try {
      for (const rel of pages) {
        const setting = `@${width}px ${scheme} JS ${js ? 'on' : 'off'}`;
        await t.test(`${rel} ${setting}`, async () => {
          const f = recorder(rel);
          try {
            await page.goto(urlOf(rel), { waitUntil: 'load', timeout: 30000 });
            await fn(page, f, { width, scheme, js, setting });
          } catch (e) { f.add('error', setting, String(e?.message ?? e).split('\n')[0]); }
          f.done();
        });
      }
    } finally { await ctx.close(); }
  }
}

const sideways = (page) => page.evaluate(() => {
  const s = document.scrollingElement;
  return s.scrollWidth > s.clientWidth + 1 ? `scrollWidth ${s.scrollWidth} > clientWidth ${s.clientWidth}` : '';
});

test('matrix: full width, sticky claim column and header, no sideways scroll of the page', { timeout: 600e3 }, async (t) => {
  await eachSetting(t, 'matrix', CLAIMS, async (page, f, { width, setting }) => {
    const over = await sideways(page);
    if (over) f.add('overflow', setting, over);
    // No timers: with JavaScript off they never fire; reading a box lays the page out.
    const r = await page.evaluate(() => {
      const wrap = document.querySelector('.matrix-section > .table-wrap');
      const text = document.querySelector('.listing .page-header');
      const out = { wrapWidth: wrap.getBoundingClientRect().width, textWidth: text.getBoundingClientRect().width };
      // In view, so that elementFromPoint sees it.
      wrap.scrollIntoView({ block: 'start' });
      const firstRow = wrap.querySelector('tbody tr');
      const th = firstRow.querySelector('th[scope=row]');
      out.scrollsSideways = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.scrollLeft = wrap.scrollWidth;
      const w = wrap.getBoundingClientRect(), h = th.getBoundingClientRect();
      out.thLeft = h.left - w.left; out.thWidth = h.width;
      const hit = document.elementFromPoint(h.left + 6, h.top + Math.min(10, h.height / 2));
      out.thOnTop = !!hit && th.contains(hit);
      wrap.scrollLeft = 0;
      // Down inside the box: the header row stays at its top.
      out.scrollsDown = wrap.scrollHeight > wrap.clientHeight + 1;
      wrap.scrollIntoView({ block: 'start' });
      wrap.scrollTop = Math.min(wrap.scrollHeight - wrap.clientHeight, 600);
      const head = wrap.querySelector('thead').getBoundingClientRect();
      out.headTop = head.top - wrap.getBoundingClientRect().top;
      const label = wrap.querySelector('thead tr:last-child th:nth-child(2)');
      if (label) {
        const lr = label.getBoundingClientRect();
        const hit2 = document.elementFromPoint(lr.left + lr.width / 2, lr.top + lr.height / 2);
        out.headOnTop = !!hit2 && label.contains(hit2);
      } else out.headOnTop = true;
      wrap.scrollTop = 0;
      return out;
    });
    if (width >= 1280 && r.wrapWidth < r.textWidth + 100) f.add('matrix width', setting, `matrix ${Math.round(r.wrapWidth)}px is not wider than the text column (${Math.round(r.textWidth)}px)`);
    if (r.scrollsSideways) {
      if (Math.abs(r.thLeft) > 2) f.add('sticky column', setting, `scrolled to the end, the claim column stands ${Math.round(r.thLeft)}px from the box's left edge`);
      if (!r.thOnTop) f.add('sticky column', setting, 'scrolled to the end, the claim cell is covered by another cell');
    }
    if (r.thWidth < 80) f.add('sticky column', setting, `claim column only ${Math.round(r.thWidth)}px wide`);
    if (r.scrollsDown) {
      if (Math.abs(r.headTop) > 2) f.add('sticky header', setting, `scrolled down inside its box, the header stands ${Math.round(r.headTop)}px below the box's top`);
      if (!r.headOnTop) f.add('sticky header', setting, 'scrolled down, a column label is covered');
    }
  });
});

test('marks: quoted words marked, contrast-clean, right-to-left lines read right to left', { timeout: 600e3 }, async (t) => {
  let marks = 0, rtl = 0;
  await eachSetting(t, 'marks', PROVENANCE, async (page, f, { width, scheme, js, setting }) => {
    const r = await page.evaluate(() => {
      const bad = [];
      let n = 0, rtl = 0;
      for (const m of document.querySelectorAll('.source-lines .lt mark')) {
        n++;
        const line = m.closest('li.line');
        const mb = getComputedStyle(m).backgroundColor, lb = getComputedStyle(line).backgroundColor;
        if (mb === lb || mb === 'rgba(0, 0, 0, 0)') bad.push(`${line.id}: mark background ${mb} = line ${lb}`);
      }
      for (const lt of document.querySelectorAll('.source-lines .lt')) {
        if (/[\u0590-\u08FF]/.test(lt.textContent) && !/[A-Za-z]/.test(lt.textContent)) {
          rtl++;
          if (!lt.matches(':dir(rtl)') || getComputedStyle(lt).direction !== 'rtl') bad.push(`${lt.parentElement.id}: an Arabic or Hebrew line does not read right to left`);
        }
      }
      return { n, rtl, bad };
    });
    for (const b of r.bad) f.add('marks', setting, b);
    if (width === 1280 && js) {
      marks += r.n; rtl += r.rtl;
      if (r.n) {
        await page.addScriptTag({ content: AXE_SOURCE });
        const res = await page.evaluate(() => window.axe.run({ include: [['.source-lines']] }, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] }));
        for (const v of res.violations) for (const node of v.nodes) {
          if (node.target.join(' ').includes('mark') || /<mark/.test(node.html)) f.add(`axe ${scheme} color-contrast`, node.target.join(' '), node.failureSummary);
        }
      }
    }
  });
  t.diagnostic(`${marks / 2} marks and ${rtl / 2} right-to-left lines checked per scheme`);
  if (STRICT) assert.ok(marks > 0, `${LABEL}: no <mark> on any provenance page`);
});

test('rosters: one card per member on phones, a table on wide screens', { timeout: 600e3 }, async (t) => {
  await eachSetting(t, 'rosters', ROSTERS, async (page, f, { width, setting }) => {
    const over = await sideways(page);
    if (over) f.add('overflow', setting, over);
    const r = await page.evaluate(() => {
      const out = [];
      for (const table of document.querySelectorAll('.roster-table')) {
        const wrap = table.closest('.table-wrap');
        const head = table.querySelector('thead').getBoundingClientRect();
        const rows = [...table.querySelectorAll('tbody tr')];
        const box = wrap.getBoundingClientRect();
        out.push({
          display: getComputedStyle(rows[0]).display,
          headVisible: head.height > 2 && head.width > 2,
          wrapScrolls: wrap.scrollWidth > wrap.clientWidth + 1,
          tooWide: rows.filter((tr) => tr.getBoundingClientRect().right > box.right + 1).map((tr) => tr.id),
          labels: rows.every((tr) => [...tr.querySelectorAll('td')].every((td) => {
            const l = td.querySelector('.card-label');
            return l && getComputedStyle(l).display !== 'none';
          })),
        });
      }
      return out;
    });
    for (const [k, x] of r.entries()) {
      if (width <= 390) {
        if (x.display !== 'block') f.add('roster cards', `table ${k + 1} ${setting}`, `a member row is display:${x.display}, not a card`);
        if (x.wrapScrolls) f.add('roster cards', `table ${k + 1} ${setting}`, 'the roster box scrolls sideways');
        if (x.tooWide.length) f.add('roster cards', `table ${k + 1} ${setting}`, `cards wider than the box: ${x.tooWide.join(', ')}`);
        if (!x.labels) f.add('roster cards', `table ${k + 1} ${setting}`, 'a cell does not show its outlet\'s name');
      } else {
        if (x.display !== 'table-row') f.add('roster table', `table ${k + 1} ${setting}`, `a member row is display:${x.display}`);
        if (!x.headVisible) f.add('roster table', `table ${k + 1} ${setting}`, 'the header row is hidden');
      }
    }
  });
});

test('overflow: provenance pages never scroll sideways', { timeout: 600e3 }, async (t) => {
  await eachSetting(t, 'overflow', PROVENANCE.slice(0, 6), async (page, f, { setting }) => {
    const over = await sideways(page);
    if (over) f.add('overflow', setting, over);
  });
});
