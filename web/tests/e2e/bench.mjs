// The first page in Chromium (issue #13's performance goal): loads `/` of a real `needlework serve` N times
// (default 20) in headless Chromium with a cold cache each time, and reports from the Navigation Timing API
// the time to DOMContentLoaded and to load, and the time until the app is ready (the login form rendered,
// from the navigation's start) — median and p95 — plus the bytes transferred. A benchmark, not a test: it
// prints figures and fails only when a page does not load. Usage: scripts/bench-web.sh.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const bin = process.env.NEEDLEWORK_BIN;
const webRoot = process.env.NEEDLEWORK_WEB_ROOT;
const loads = Number(process.env.LOADS ?? 20);
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!bin || !webRoot || !existsSync(chromiumPath)) {
  console.error('bench-web: set NEEDLEWORK_BIN and NEEDLEWORK_WEB_ROOT; needs /usr/bin/chromium');
  process.exit(2);
}
const server = await startServer({ bin, webRoot, data: process.env.NEEDLEWORK_DATA });
// launch() gives the browser a fresh temporary profile of its own.
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const samples = [];
try {
  for (let i = 0; i < loads; i++) {
    // A new context each time: nothing cached, no cookies — the first visit of a tablet.
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    const ready = await page.evaluate(() => performance.now());
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      const bytes = performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, n.transferSize);
      return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, bytes };
    });
    samples.push({ ...nav, ready });
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const stat = (key) => {
  const v = samples.map((s) => s[key]).sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms`;
};
console.log(`bench-web: ${loads} cold loads of / at 1024×768 (${bin})`);
console.log(`  DOMContentLoaded      ${stat('dcl')}`);
console.log(`  load event            ${stat('load')}`);
console.log(`  app ready (login form) ${stat('ready')}`);
console.log(`  transferred           ${samples[0].bytes} bytes (gzip)`);
