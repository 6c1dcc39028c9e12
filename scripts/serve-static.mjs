#!/usr/bin/env node
// A static file server for the tests, serving the repository as a web host would: gzip for text,
// the right types, ETag-free (every test measures a cold load). The browser tests use it to open
// built pages (dist/, dist/lib/) and to measure the bytes they transfer. Loopback only.
//   node scripts/serve-static.mjs [port]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const repository = dirname(dirname(fileURLToPath(import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.wasm']);

/**
 * The built lab is cross-origin isolated, as `npm start` and `vite preview` serve it (the CPU
 * backend then shares memory between threads); the test pages under /e2e/pages/ stand for a blog
 * and are not.
 */
function isolate(path, response) {
  if (path.startsWith('/e2e/pages/')) return;
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
}

/**
 * Serves `root` (the repository unless given; the audit serves dist/, the built lab, as a site
 * would) on 127.0.0.1:port; resolves to the server once it listens.
 */
export function startStaticServer(port, root = repository) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let path = decodeURIComponent(url.pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
      return;
    }
    const type = extname(file);
    response.setHeader('Content-Type', TYPES[type] ?? 'application/octet-stream');
    response.setHeader('Cache-Control', 'no-store');
    isolate(path, response);
    const gzip =
      COMPRESSIBLE.has(type) && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    if (gzip) response.setHeader('Content-Encoding', 'gzip');
    response.writeHead(200);
    const stream = createReadStream(file);
    (gzip ? stream.pipe(createGzip()) : stream).pipe(response);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.argv[2] ?? process.env.GRADLAB_STATIC_PORT ?? 5190);
  await startStaticServer(port);
  console.log(`gradlab static server on http://127.0.0.1:${port}`);
}
