// Save-to-reload latency of `explainer serve`, measured in a real Chromium.
//
//   node tests/site-check/serve-latency.mjs [--bin target/release/explainer] [--root .] [--edits 10] [--gap 200] [--cite]
//
// Copies the site (site.toml, sources/, content/, themes/) into a temporary folder, starts
// `explainer serve --port 0` on it, opens the home page in headless Chromium, then edits
// content/_index.md N times, waiting --gap ms after each reload (editors save seconds apart,
// and what a rebuild frees may be returned to the system in between). Each sample is the time
// from the file write to the browser's `load` event of the reloaded page (the page is checked
// to show the edit). With --cite, every other edit adds a claim citing the page's first cited
// source line, so that each edit changes the site's claims and back-links (without it, each
// edit changes a paragraph that states nothing, and the site's shape stays). Prints every
// sample and the median, and the median of the server's own rebuild times ("rebuilt in N ms"
// on its stderr). Nothing in the repository is written. The browser binary (CHROMIUM_PATH,
// default /usr/bin/chromium) and its flags are the browser tests', from common.mjs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, ARGS } from './common.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const bin = path.resolve(opt('bin', 'target/release/explainer'));
const root = path.resolve(opt('root', '.'));
const edits = Number(opt('edits', '10'));
const gap = Number(opt('gap', '200'));
const cite = args.includes('--cite');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'explainer-latency-'));
for (const item of ['site.toml', 'sources', 'content', 'themes', 'citations.lock']) {
  const from = path.join(root, item);
  if (fs.existsSync(from)) fs.cpSync(from, path.join(tmp, item), { recursive: true });
}
const page = path.join(tmp, 'content', '_index.md');
const original = fs.readFileSync(page, 'utf8');
const cited = original.match(/\[@([^\s:\]]+):(\d+)/);
if (cite && !cited) throw new Error(`--cite: ${page} cites nothing to cite again`);

const server = spawn(bin, ['serve', '--port', '0', '--root', tmp], { stdio: ['ignore', 'pipe', 'pipe'] });
const rebuilds = [];
let errText = '';
server.stderr.on('data', (d) => {
  errText += d;
  const lines = errText.split('\n');
  errText = lines.pop(); // an unfinished line waits for the rest
  for (const line of lines) {
    const m = line.match(/rebuilt in (\d+) ms/);
    if (m) rebuilds.push(Number(m[1]));
  }
});
const url = await new Promise((resolve, reject) => {
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += d;
    const m = buf.match(/serving (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
const samples = [];
try {
  const tab = await browser.newPage();
  await tab.goto(url, { waitUntil: 'load' });
  await tab.waitForTimeout(300); // let the event stream connect
  for (let i = 1; i <= edits; i++) {
    const marker = `Latency probe ${i}`;
    // The edit: a paragraph that states nothing, so the page still builds;
    // or (--cite, odd edits) a claim citing a line the page already cites.
    const claim = cite && i % 2 === 1 ? ` [@${cited[1]}:${cited[2]}]` : '';
    const text = original.replace(/\n+$/, '') + `\n\n${marker}${claim}.\n`;
    const reloaded = tab.waitForEvent('load', { timeout: 10000 });
    const t0 = performance.now();
    fs.writeFileSync(page, text);
    await reloaded;
    const ms = performance.now() - t0;
    const html = await tab.content();
    if (!html.includes(marker)) throw new Error(`edit ${i}: the reloaded page does not show the edit`);
    samples.push(ms);
    console.log(`edit ${i}: ${ms.toFixed(1)} ms`);
    await tab.waitForTimeout(gap);
  }
} finally {
  await browser.close();
  server.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sorted = [...samples].sort((a, b) => a - b);
console.log(`median save-to-reload: ${median(samples).toFixed(1)} ms over ${samples.length} edits (min ${sorted[0].toFixed(1)}, max ${sorted.at(-1).toFixed(1)})`);
// The first "rebuilt" line is the initial build; the others are the edits.
const edited = rebuilds.slice(1);
if (edited.length) {
  console.log(`initial build: ${rebuilds[0]} ms; median rebuild after an edit: ${median(edited)} ms over ${edited.length} rebuilds (min ${Math.min(...edited)}, max ${Math.max(...edited)})`);
}
