// The first page in Chromium (issue #13's performance goal): loads `/` of a real `needlework serve` in headless
// Chromium — one warm-up load that is not counted (the server's file cache, the browser's own start), then N
// loads (default 20), each in a new browser context: an empty HTTP cache and no cookies, the first visit of a
// tablet. From the Navigation Timing API of each load (times from the navigation's start): domInteractive,
// the end of DOMContentLoaded and the end of the load event; and the time until the app is ready (the login
// form rendered) — median and p95 of each; plus the JavaScript the page fetched (bytes on the wire, gzip) and
// everything transferred. The same loads of `/api/v1/health` (a small JSON document: no script, no stylesheet)
// follow as the floor that the browser and the machine's load set, to read the app's figures against. A
// benchmark, not a test: it prints figures and fails only when a page does not load.
// Usage: scripts/bench-web.sh.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const bin = process.env.NEEDLEWORK_BIN;
const webRoot = process.env.NEEDLEWORK_WEB_ROOT;
const loads = Number(process.env.LOADS ?? 20);
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!bin || !webRoot || !existsSync(chromiumPath) || !(loads > 0)) {
  console.error('bench-web: set NEEDLEWORK_BIN and NEEDLEWORK_WEB_ROOT (and LOADS > 0); needs /usr/bin/chromium');
  process.exit(2);
}
const server = await startServer({ bin, webRoot, data: process.env.NEEDLEWORK_DATA });
// launch() gives the browser a fresh temporary profile of its own.
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** One cold load of `path`: a new context (nothing cached), the figures of its navigation entry. For the app
 * (`/`), the time its login form is on screen too. */
async function coldLoad(path = '/') {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  try {
    // The instant the login button is in the document, taken in the page (a MutationObserver set up before the
    // app's script runs): not when Playwright, polling from outside, next looks.
    await context.addInitScript(() => {
      new MutationObserver((_, seen) => {
        if ([...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Log in')) {
          window.__appReady = performance.now();
          seen.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(server.url + path);
    if (path === '/') await page.getByRole('button', { name: 'Log in' }).waitFor();
    const ready = await page.evaluate(() => window.__appReady ?? performance.now());
    // loadEventEnd is 0 until the load handlers have returned.
    await page.waitForFunction(() => performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0);
    return await page.evaluate((appReady) => {
      const n = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource');
      const js = resources.filter((r) => r.initiatorType === 'script' || /\.m?js(\?|$)/.test(r.name));
      return {
        interactive: n.domInteractive,
        dcl: n.domContentLoadedEventEnd,
        load: n.loadEventEnd,
        ready: appReady,
        jsBytes: js.reduce((s, r) => s + r.encodedBodySize, 0),
        jsFiles: js.length,
        bytes: resources.reduce((s, r) => s + r.transferSize, n.transferSize),
      };
    }, ready);
  } finally {
    await context.close();
  }
}

const samples = [];
const floor = [];
try {
  await coldLoad(); // the warm-up, not counted
  for (let i = 0; i < loads; i++) samples.push(await coldLoad());
  for (let i = 0; i < loads; i++) floor.push(await coldLoad('/api/v1/health'));
} finally {
  await browser.close();
  await server.stop();
}
const stat = (key, of = samples) => {
  const v = of.map((s) => s[key]).sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the loads at or below it.
  const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${v[v.length - 1].toFixed(1)} ms`;
};
console.log(`bench-web: ${loads} cold loads of / at 1024×768 after one warm-up (${bin})`);
console.log(`  domInteractive           ${stat('interactive')}`);
console.log(`  DOMContentLoaded end     ${stat('dcl')}`);
console.log(`  load event end           ${stat('load')}`);
console.log(`  app ready (login form)   ${stat('ready')}`);
console.log(`  JavaScript fetched       ${samples[0].jsBytes} bytes on the wire (gzip), ${samples[0].jsFiles} files`);
console.log(`  transferred in all       ${samples[0].bytes} bytes (headers included)`);
console.log(`the floor: ${loads} cold loads of /api/v1/health (no script, no stylesheet)`);
console.log(`  domInteractive           ${stat('interactive', floor)}`);
console.log(`  load event end           ${stat('load', floor)}`);
