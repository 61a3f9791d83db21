// A small static file server for the browser tests: serves one folder on 127.0.0.1 at an
// ephemeral port. '/x/' -> x/index.html, '/x' (a folder) -> 301 '/x/', proper content types,
// GET/HEAD only, and no path may escape the root (after decoding, '..' and symlinks included).
//
// As a module:  const { server, base, close } = await serve('/path/to/site');
// By hand:      node server.mjs DIR [PORT]   (prints the URL, serves until Ctrl-C)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TYPES = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.jsonld': 'application/ld+json', '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.avif': 'image/avif', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2',
  '.ttf': 'font/ttf', '.otf': 'font/otf', '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

// Map a URL pathname to a file under root (an absolute, real path).
// Returns { file } | { redirect } | { status } (403 escaping / 404 missing / 400 bad).
export function resolvePath(root, pathname) {
  let p;
  try { p = decodeURIComponent(pathname); } catch { return { status: 400 }; }
  if (p.includes('\0') || !p.startsWith('/')) return { status: 400 };
  // Refuse any '..' segment outright rather than normalising it away.
  if (p.split(/[\\/]/).includes('..')) return { status: 403 };
  const full = path.join(root, p);
  if (full !== root && !full.startsWith(root + path.sep)) return { status: 403 };
  let real;
  try { real = fs.realpathSync(full); } catch { return { status: 404 }; }
  if (real !== root && !real.startsWith(root + path.sep)) return { status: 403 }; // symlink out
  const st = fs.statSync(real);
  if (st.isDirectory()) {
    if (!p.endsWith('/')) return { redirect: pathname + '/' };
    const idx = path.join(real, 'index.html');
    return fs.statSync(idx, { throwIfNoEntry: false })?.isFile() ? { file: idx } : { status: 404 };
  }
  return st.isFile() ? { file: real } : { status: 404 };
}

export async function serve(dir) {
  const root = fs.realpathSync(path.resolve(dir));
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      return res.end('method not allowed');
    }
    let url;
    try { url = new URL(req.url, 'http://127.0.0.1'); } catch { res.writeHead(400); return res.end(); }
    const hit = resolvePath(root, url.pathname);
    if (hit.redirect) { res.writeHead(301, { Location: hit.redirect + url.search }); return res.end(); }
    if (!hit.file) {
      res.writeHead(hit.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end(hit.status === 403 ? 'forbidden' : 'not found');
    }
    const type = TYPES[path.extname(hit.file).toLowerCase()] || 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(hit.file).on('error', () => res.destroy()).pipe(res);
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(Number(process.env.PORT) || 0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}/`;
  return { server, base, root, close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, port] = process.argv.slice(2);
  if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    console.error('usage: node server.mjs DIR [PORT]');
    process.exit(2);
  }
  if (port) process.env.PORT = port;
  const { base } = await serve(dir);
  console.log(`serving ${path.resolve(dir)} at ${base}`);
}
