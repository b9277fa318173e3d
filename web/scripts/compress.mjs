// After `vite build`: writes a .gz beside every text file of the output (served when the browser accepts gzip,
// src/server/static_files.cpp) and reports the JavaScript the first page loads, gzipped — the scripts that
// index.html names and the modules they import statically. Fails above the budget of issue #13 (120 KB).
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = process.env.NEEDLEWORK_WEB_OUT ?? 'dist';
const budget = 120 * 1024;
const compressible = /\.(js|mjs|css|html|svg|json|txt|map)$/;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const gzSize = new Map();
for (const file of walk(root)) {
  if (!compressible.test(file)) continue;
  const gz = gzipSync(readFileSync(file), { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(file + '.gz', gz);
  gzSize.set(relative(root, file), gz.length);
}

// The first page's scripts: <script src> of index.html, then every static `import … from "./x.js"` of those.
const html = readFileSync(join(root, 'index.html'), 'utf8');
const pending = [...html.matchAll(/<script[^>]*\bsrc="\/?([^"]+)"/g)].map((m) => m[1]);
const seen = new Set();
while (pending.length > 0) {
  const file = pending.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const code = readFileSync(join(root, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[^'"()]*?from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) {
    pending.push(relative(root, join(root, dirname(file), m[1])));
  }
}
let total = 0;
for (const f of seen) total += gzSize.get(f) ?? 0;
const kb = (total / 1024).toFixed(1);
console.log(`web: first page JavaScript ${kb} KB gzipped (${seen.size} files; budget ${budget / 1024} KB)`);
if (total > budget) {
  console.error(`web: the first page's JavaScript is over the ${budget / 1024} KB budget`);
  process.exit(1);
}
