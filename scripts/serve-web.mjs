#!/usr/bin/env node
// npm run web — serves dist/web/ (made by npm run build:web) on http://127.0.0.1:PORT/.
// PORT from the environment, 8080 by default, 0 for any free port; prints the URL. Static files
// only, from that one folder, nothing cached; Ctrl-C stops it.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../dist/web/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.json': 'application/json', '.map': 'application/json',
};

if (!existsSync(join(root, 'index.html'))) {
  console.error('serve-web: dist/web/index.html is missing; run `npm run build:web` first');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve-web: PORT must be an integer in 0..65535, got '${process.env.PORT}'`);
  process.exit(2);
}

const server = createServer((request, response) => {
  const send = (status, body, type = 'text/plain; charset=utf-8') => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
  let path;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return send(400, 'bad request\n');
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  // Only files inside dist/web/: no "..", no absolute escapes.
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    return send(404, 'not found\n');
  }
  send(200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
});

server.on('error', (err) => {
  console.error(`serve-web: ${err.code === 'EADDRINUSE' ? `port ${port} is in use; try PORT=0 npm run web` : err.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`fusegrad web: serving dist/web at http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
