// room.html preloads every module app.js imports: one missing is fetched only once its importer has been parsed, a
// round trip after the others that delays the page's start (rejoin.js once cost a newcomer ~60 ms of call setup).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../main/resources/static');

/** Every module reachable from app.js through relative static imports, as /assets/... paths. */
function graph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(path.join(staticDir, file), 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)) {
      visit(path.posix.join(path.posix.dirname(file), m[1]));
    }
  };
  visit(entry);
  return seen;
}

test('room.html preloads every module of the page', () => {
  const html = fs.readFileSync(path.join(staticDir, 'room.html'), 'utf8');
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]));
  const modules = graph('/assets/app.js');
  assert.ok(modules.size > 10, `found only ${[...modules]}`);
  const missing = [...modules].filter((m) => !preloaded.has(m));
  assert.deepEqual(missing, []);
});
