// The browser tests (ctest: web.browser): Playwright drives Debian's Chromium, headless at tablet size
// (1024×768, touch), against a real `needlework serve` (tests/e2e/server.mjs). One walk through the app as a
// clinic uses it — first login and password change, a client added, found and opened, a second staff member
// whose menu and rights follow their role, logging out — with axe-core on every page visited (no serious or
// critical violation), a screenshot of every page (NEEDLEWORK_WEB_ARTIFACTS, not committed), and a check that
// no control is below the 44 px touch target and that nothing breaks the Content-Security-Policy.
// Exit 77 (ctest: skipped) when this machine has no Chromium, except under CI, where that fails.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { adminPages } from './admin-pages.mjs';

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`web.browser: no Chromium at ${chromiumPath} (scripts/install-deps.sh installs it)`);
  process.exit(process.env.CI ? 1 : 77);
}
const bin = process.env.NEEDLEWORK_BIN;
const webRoot = process.env.NEEDLEWORK_WEB_ROOT;
if (!bin || !webRoot || !existsSync(join(webRoot, 'index.html'))) {
  console.error('web.browser: set NEEDLEWORK_BIN (the needlework binary) and NEEDLEWORK_WEB_ROOT (a built app)');
  process.exit(1);
}
const shots = resolve(process.env.NEEDLEWORK_WEB_ARTIFACTS ?? 'screenshots');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const tablet = { width: 1024, height: 768 };
const phone = { width: 390, height: 844 };
const newPassword = 'copper lantern meadow 42';

let passed = 0;
let failed = 0;
const cspViolations = [];

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function axe(page, name) {
  // Evaluated over the DevTools protocol, so the page's CSP (no inline scripts) does not stop it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations.length === 0, `axe on ${name}:\n  ${violations.join('\n  ')}`);
}

/** Every visible button, field and menu or row link is at least 44×44 px (inline text links are exempt). */
async function touchTargets(page, name) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, textarea, .menu a, .row-link, .button')]
      .filter((el) => el.getClientRects().length > 0)
      // A checkbox or radio button is tapped through its whole label.
      .map((el) => (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) || el)
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('name') || '').trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
  expect(small.length === 0, `touch targets under 44 px on ${name}: ${small.join('; ')}`);
}

/** The checks of every page: axe, touch targets, a screenshot. */
async function visit(page, name) {
  // Every page marks what it is still loading with aria-busy: wait until nothing is.
  await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await axe(page, name);
  await touchTargets(page, name);
}

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
    throw e;
  }
}

/** A write from the page itself, as the app makes it: session cookie, CSRF header from nw_csrf. */
async function apiFromPage(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === 'nw_csrf');
      const r = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': decodeURIComponent(csrf[1]) } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** A field by its visible label (a required field's label ends "(required)"). */
function field(page, label) {
  const text = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${text}( \\(required\\))?$`));
}

async function logIn(page, name, password) {
  await field(page, 'User name').fill(name);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: /^(Log in|Try again)$/ }).click();
}

async function firstPasswordChange(page, oneTime, chosen) {
  await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
  await field(page, 'Current password').fill(oneTime);
  await field(page, 'New password').fill(chosen);
  // What was typed can be shown and hidden again (the toggle beside the field, ASVS V2.1.12).
  const show = page.getByRole('button', { name: 'Show new password', exact: true });
  expect((await show.getAttribute('aria-pressed')) === 'false', 'the new password starts hidden');
  await show.click();
  expect((await field(page, 'New password').getAttribute('type')) === 'text', 'Show did not show the password');
  expect((await field(page, 'New password').inputValue()) === chosen, 'showing changed what was typed');
  expect((await show.getAttribute('aria-pressed')) === 'true', 'the toggle is not pressed while shown');
  await page.screenshot({ path: join(shots, 'password-shown.png') });
  await show.click();
  expect((await field(page, 'New password').getAttribute('type')) === 'password', 'Hide did not hide it again');
  await field(page, 'New password again').fill(chosen);
  await page.getByRole('button', { name: /Change password|Try again/ }).click();
  await page.getByRole('heading', { name: 'Today' }).or(page.getByRole('heading', { name: 'Not found' })).first().waitFor();
}

/** Taps a map region where it is drawn: a paired region (both cheeks) at its left part, not the middle. */
async function tapRegion(page, region) {
  const shape = page.locator(`path[data-region="${region}"]`);
  const box = await shape.boundingBox();
  const paired = ['cheek', 'temple', 'periorbital', 'upper_arm', 'thigh'].includes(region);
  await shape.tap({ position: { x: box.width * (paired ? 0.2 : 0.5), y: box.height / 2 } });
  return shape;
}

async function menuLabels(page) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
}

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Bea, treated three days ago (before the server starts): her 24-hour follow-up is due now. */
function pastSession(cli, dir) {
  const past = day(-3);
  const at = (hm) => `${past}T${hm}:00Z`;
  const intake = JSON.parse(readFileSync(new URL('../../../examples/intake-cleared.json', import.meta.url), 'utf8'));
  intake.client = { id: 'C-2026-002', name: 'Bea Example', date_of_birth: '1985-02-03' };
  intake.date = past;
  intake.dermatologist_clearance.date = past;
  writeFileSync(join(dir, 'intake.json'), JSON.stringify(intake));
  writeFileSync(join(dir, 'consent.txt'), 'I consent to micro-needling of the face.\n');
  cli(['clients', 'add', 'C-2026-002', '--name', 'Bea Example', '--born', '1985-02-03', '--now', at('08:00')]);
  cli(['intake', join(dir, 'intake.json'), '--now', at('09:00')]);
  cli(['consent', 'sign', 'C-2026-002', '--text-file', join(dir, 'consent.txt'), '--signer', 'Bea Example', '--now', at('09:05')]);
  cli(['roller', 'register', '--lot', 'L-E2E', '--serial', '0001', '--device', 'dermaroller', '--needles', '192',
    '--needle-mm', '1.0', '--expiry', day(400), '--now', at('09:10')]);
  cli(['roller', 'assign', '1', 'C-2026-002', '--now', at('09:55')]);
  cli(['session', 'start', 'C-2026-002', '--area', 'face', '--roller', '1', '--acknowledge', 'DEPTH.thin_skin', '--now', at('10:00')]);
  cli(['session', 'finish', '1', '--reason', 'browser test: steps not charted', '--now', at('11:00')]);
}

const server = await startServer({ bin, webRoot, data: process.env.NEEDLEWORK_DATA, prepare: pastSession });
const profile = mkdtempSync(join(tmpdir(), 'needlework-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: tablet,
  hasTouch: true,
  baseURL: server.url,
});
const page = context.pages()[0] ?? (await context.newPage());
page.on('console', (m) => {
  if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
});
page.setDefaultTimeout(15_000);
if (process.env.E2E_TRACE) page.on('request', (r) => console.log('>', r.method(), r.url()));

try {
  await step('the login page is served by needlework serve and is accessible', async () => {
    const r = await page.goto('/');
    expect(r && r.status() === 200, `GET / answered ${r && r.status()}`);
    await page.getByRole('heading', { name: /log in/ }).waitFor();
    await visit(page, 'login');
  });

  await step('a wrong password is refused next to the form and the name stays typed', async () => {
    await logIn(page, 'admin', 'not the password at all');
    await page.getByRole('alert').filter({ hasText: /password|name/i }).first().waitFor();
    expect((await field(page, 'User name').inputValue()) === 'admin', 'the typed name was lost');
  });

  await step('the one-time admin password leads to the password change form', async () => {
    await logIn(page, 'admin', server.password);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await visit(page, 'password-first-login');
  });

  await step('the server’s password policy refusal shows next to the new password and keeps what was typed', async () => {
    await field(page, 'Current password').fill(server.password);
    await field(page, 'New password').fill('short');
    await field(page, 'New password again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    const error = page.locator('#f-new_password-error');
    await error.waitFor();
    expect(/12/.test(await error.textContent()), `unexpected message: ${await error.textContent()}`);
    expect((await field(page, 'Current password').inputValue()) === server.password, 'the current password was lost');
    expect((await field(page, 'New password').getAttribute('aria-invalid')) === 'true', 'field not marked invalid');
    await visit(page, 'password-refused');
  });

  await step('changing the password opens Today with the admin’s menu', async () => {
    await firstPasswordChange(page, server.password, newPassword);
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.getByRole('heading', { name: /Rollers expired/ }).waitFor();
    const labels = await menuLabels(page);
    expect(JSON.stringify(labels) === JSON.stringify(['Today', 'Clients', 'Rollers', 'Simulator', 'Audit', 'Users']), `admin menu: ${labels}`);
    await visit(page, 'today');
  });

  await step('add a client; a duplicate id is refused next to the id field, keeping what was typed', async () => {
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await visit(page, 'clients');
    await page.getByRole('button', { name: 'Add a client' }).click();
    await field(page, 'Client id').fill('C-2026-001');
    await field(page, 'Name').fill('Ana Example');
    await field(page, 'Date of birth').fill('1990-04-12');
    await visit(page, 'client-new');
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('heading', { name: 'Ana Example' }).waitFor();
    expect(new URL(page.url()).pathname === '/clients/C-2026-001', `record url ${page.url()}`);
    await page.getByRole('link', { name: 'Clients', exact: true }).first().click();
    await page.getByRole('button', { name: 'Add a client' }).click();
    await field(page, 'Client id').fill('C-2026-001');
    await field(page, 'Name').fill('Someone Else');
    await page.getByRole('button', { name: 'Add client' }).click();
    const error = page.locator('#f-id-error');
    await error.waitFor();
    expect(/already exists/.test(await error.textContent()), `duplicate message: ${await error.textContent()}`);
    expect((await field(page, 'Name').inputValue()) === 'Someone Else', 'the typed name was lost');
    await visit(page, 'client-duplicate');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  await step('search finds the client and opens the record with its timeline', async () => {
    await field(page, 'Find a client by id or name').fill('ana ex');
    await page.getByRole('button', { name: 'Search' }).click();
    const found = page.getByRole('list', { name: 'Clients found' }).getByRole('link');
    await found.first().waitFor();
    expect((await found.count()) === 1, `found ${await found.count()}`);
    await visit(page, 'clients-search');
    await found.first().click();
    await page.getByRole('heading', { name: 'Ana Example' }).waitFor();
    await page.getByText('1990-04-12').waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await visit(page, 'client-record');
  });

  await step('edit a client: a bad email is refused next to its field, nothing lost; the new phone is shown', async () => {
    await page.getByRole('button', { name: 'Edit details' }).click();
    await page.getByRole('heading', { name: 'Edit details' }).waitFor();
    await field(page, 'Phone').fill('+44 20 7946 0958');
    await field(page, 'Email').fill('ana.example.org');
    await page.getByRole('button', { name: 'Save details' }).click();
    const error = page.locator('#f-email-error');
    await error.waitFor();
    expect(/not an email address/.test(await error.textContent()), `email message: ${await error.textContent()}`);
    expect((await field(page, 'Phone').inputValue()) === '+44 20 7946 0958', 'the typed phone was lost');
    await visit(page, 'client-edit-refused');
    await field(page, 'Email').fill('ana@example.org');
    await page.getByRole('button', { name: /^(Save details|Try again)$/ }).click();
    const details = page.getByRole('definition').filter({ hasText: '+44 20 7946 0958' });
    await details.waitFor();
    await page.getByRole('definition').filter({ hasText: 'ana@example.org' }).waitFor();
    await visit(page, 'client-edited');
  });

  await step('an intake with no area is refused by the server next to the map, nothing lost', async () => {
    await page.getByRole('link', { name: 'New intake and screening' }).click();
    await page.getByRole('heading', { name: 'Intake — Ana Example' }).waitFor();
    await visit(page, 'intake');
    await page.getByRole('checkbox', { name: /^Sensitive, delicate skin/ }).check();
    await page.getByRole('button', { name: 'Screen and record' }).click();
    await page.locator('#err-areas').waitFor();
    expect(await page.getByRole('checkbox', { name: /^Sensitive, delicate skin/ }).isChecked(), 'the checked condition was lost');
    await page.getByRole('checkbox', { name: /^Sensitive, delicate skin/ }).uncheck();
  });

  await step('areas tapped on the face map and acne marked where it is give the decision with rule and source', async () => {
    const cheek = page.locator('path[data-region="cheek"]');
    expect((await cheek.getAttribute('data-area')) === 'face', 'the cheek is not part of the face area');
    await tapRegion(page, 'cheek');
    await tapRegion(page, 'neck');
    expect((await cheek.getAttribute('aria-pressed')) === 'true', 'tapping the cheek did not choose the face');
    // Keyboard too: the periorbital region is a button; Enter toggles it on and off.
    await page.locator('path[data-region="periorbital"]').focus();
    await page.keyboard.press('Enter');
    expect((await page.locator('path[data-region="periorbital"]').getAttribute('aria-pressed')) === 'true', 'Enter did not choose the area');
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Concerns for Face' }).getByLabel('Smooth the skin').check();
    await page.getByRole('checkbox', { name: /^Acne \(active\)/ }).check();
    // Checking a local condition switches the map to marking where it is.
    await tapRegion(page, 'cheek');
    await page.getByText('Where: Face').waitFor();
    expect(/marked/.test(await cheek.getAttribute('class')), 'the acne mark is not drawn');
    // A dermatologist's clearance dated the intake's own day (never after it).
    await field(page, 'Cleared by').fill('Dr. Jane Roe');
    await field(page, 'Date of the clearance').fill(await field(page, 'Intake date').inputValue());
    await visit(page, 'intake-filled');
    await page.getByRole('button', { name: 'Screen and record' }).click();
    await page.getByRole('heading', { name: 'Screening decision' }).waitFor();
    const status = await page.getByRole('status').textContent();
    expect(/defer/i.test(status), `decision: ${status}`);
    await page.locator('code', { hasText: 'CI.acne' }).first().waitFor();
    await page.locator('code', { hasText: 'S15' }).first().waitFor();
    const neck = await page.getByRole('listitem').filter({ hasText: /^Neck:/ }).textContent();
    expect(/cleared/.test(neck), `neck: ${neck}`);
    await visit(page, 'intake-decision');
  });

  await step('a client with hemophilia is stopped: contraindicated, with the rule shown', async () => {
    await page.getByRole('button', { name: 'Another intake' }).click();
    await page.getByRole('heading', { name: 'Intake — Ana Example' }).waitFor();
    expect((await page.locator('path[data-region="cheek"]').getAttribute('aria-pressed')) === 'true', 'the form was not kept');
    await page.getByRole('checkbox', { name: /^Acne \(active\)/ }).uncheck();
    await page.getByRole('checkbox', { name: /^Hemophilia/ }).check();
    await page.getByRole('button', { name: 'Screen and record' }).click();
    await page.getByRole('heading', { name: 'Screening decision' }).waitFor();
    const status = await page.getByRole('status').textContent();
    expect(/contraindicated/i.test(status) && /Do not treat/.test(status), `decision: ${status}`);
    await page.locator('code', { hasText: /^CI\./ }).first().waitFor();
    await visit(page, 'intake-contraindicated');
    await page.getByRole('link', { name: 'Back to the record' }).click();
    await page.getByRole('heading', { name: 'Ana Example' }).waitFor();
    await page.getByText(/Intake of .* — contraindicated/).waitFor();
    await page.getByText(/Intake of .* — defer/).waitFor();
    await visit(page, 'client-record-intakes');
  });

  await step('Today shows the follow-up due, then its escalation in red, and a roller about to expire', async () => {
    const post = async (path, body) => {
      const r = await apiFromPage(page, 'POST', path, body);
      expect(r.status < 300, `POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    await page.getByRole('link', { name: 'Today' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const due = page.locator('.item').filter({ hasText: 'Follow-up due' });
    await due.waitFor();
    expect((await due.textContent()).includes('C-2026-002'), 'the due follow-up does not name the client');
    // The 24-hour follow-up finds redness three days on: see a doctor, which opens an escalation.
    const followup = await post('/api/v1/sessions/1/followups', { observations: ['redness', 'dryness'] });
    expect(JSON.stringify(followup).includes('see_doctor'), `follow-up: ${JSON.stringify(followup)}`);
    await post('/api/v1/rollers', {
      lot: 'L-E2E', serial: '0002', device: 'dermaroller', needle_count: 192, needle_length_mm: 1.0, expiry: day(10),
    });
    const inDays = (n) => day(n);
    await page.reload();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const escalation = page.locator('.item.escalation').filter({ hasText: 'Open escalation' });
    await escalation.waitFor();
    expect((await escalation.textContent()).includes('C-2026-002'), 'the escalation does not name the client');
    const colour = await escalation.evaluate((el) => getComputedStyle(el).color);
    expect(colour === 'rgb(179, 38, 30)', `the escalation is not red: ${colour}`);
    const rollers = page.getByRole('region', { name: /Rollers expired/ }).or(page.locator('section[aria-labelledby="rollers-title"]'));
    await rollers.getByText(`expires ${inDays(10)} (in 10 days)`).waitFor();
    await visit(page, 'today-with-records');
    await escalation.getByRole('link', { name: 'C-2026-002' }).click();
    await page.getByRole('heading', { name: 'Bea Example' }).waitFor();
    for (const title of ['Escalation — open', 'Follow-up — see a doctor', 'Session', 'Consent signed', /Intake of .* — cleared/]) {
      await page.getByRole('list', { name: 'Timeline, newest first' }).getByText(title, { exact: typeof title === 'string' }).first().waitFor();
    }
    await visit(page, 'client-record-treated');
  });

  await step('at phone size the pages still fit and keep their targets', async () => {
    await page.setViewportSize(phone);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow <= 0, `the page is ${overflow} px wider than a phone`);
    await visit(page, 'today-phone');
    await page.goto('/clients/C-2026-001');
    await page.getByRole('heading', { name: 'Ana Example' }).waitFor();
    await visit(page, 'client-record-phone');
    await page.goto('/clients/C-2026-001/intake');
    await page.getByRole('heading', { name: 'Intake — Ana Example' }).waitFor();
    const intakeOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(intakeOverflow <= 0, `the intake page is ${intakeOverflow} px wider than a phone`);
    await visit(page, 'intake-phone');
    await page.setViewportSize(tablet);
  });

  let receptionPassword = '';
  await step('an admin adds a reception user (one-time password)', async () => {
    const r = await apiFromPage(page, 'POST', '/api/v1/users', { name: 'rita', role: 'reception' });
    expect(r.status === 201, `POST /api/v1/users: ${r.status} ${JSON.stringify(r.body)}`);
    receptionPassword = r.body.one_time_password;
    expect(typeof receptionPassword === 'string' && receptionPassword.length > 0, 'no one-time password');
  });

  // The inventory and admin pages (admin-pages.mjs), as the admin.
  await adminPages({ page, step, visit, apiFromPage, field, expect, day });

  await step('log out returns to the login page', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: /log in/ }).waitFor();
    await page.getByText('You are logged out.').waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
    expect(me === 401, `after logout /auth/me answered ${me}`);
  });

  await step('a reception user’s menu and Today have no clinical work, and the server refuses charting', async () => {
    await logIn(page, 'rita', receptionPassword);
    await firstPasswordChange(page, receptionPassword, 'tulip harbour signal 77');
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const labels = await menuLabels(page);
    expect(JSON.stringify(labels) === JSON.stringify(['Today', 'Clients', 'Simulator']), `reception menu: ${labels}`);
    await page.getByRole('heading', { name: 'Appointments' }).waitFor();
    expect((await page.getByRole('heading', { name: /Rollers/ }).count()) === 0, 'reception sees the rollers');
    await visit(page, 'today-reception');
    const chart = await apiFromPage(page, 'POST', '/api/v1/sessions/1/chart', { passes: 3 });
    expect(chart.status === 403 && chart.body?.error?.code === 'forbidden', `chart as reception: ${chart.status} ${JSON.stringify(chart.body)}`);
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('link', { name: /Ana Example/ }).click();
    await page.getByRole('heading', { name: 'Ana Example' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: /log in/ }).waitFor();
  });

  // The clinical flow (tests/e2e/clinic.mjs): plan, session runner, aftercare, follow-up.
  await (await import('./clinic.mjs')).clinicFlow({
    page, step, visit, expect, field, apiFromPage, logIn, day, shots,
    adminPassword: newPassword, reception: { name: 'rita', password: 'tulip harbour signal 77' },
  });

  await step('a list longer than a page: "Show more" appends the next page (the API’s cursor) and then goes', async () => {
    await logIn(page, 'admin', newPassword);
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    // 101 clients one search finds: the app asks for 100 a page.
    const added = await page.evaluate(async () => {
      const csrf = decodeURIComponent(document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === 'nw_csrf')?.[1] ?? '');
      let ok = 0;
      for (let i = 1; i <= 101; i++) {
        const n = String(i).padStart(3, '0');
        const r = await fetch('/api/v1/clients', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ id: `P-${n}`, name: `Paging Example ${n}` }),
        });
        if (r.status === 201) ok++;
      }
      return ok;
    });
    expect(added === 101, `clients added for paging: ${added}`);
    await page.goto('/clients?q=Paging');
    const rows = page.getByRole('list', { name: 'Clients found' }).getByRole('listitem');
    const more = page.getByRole('button', { name: 'Show more clients' });
    await more.waitFor();
    expect((await rows.count()) === 100, `first page: ${await rows.count()} clients`);
    await more.click();
    await more.waitFor({ state: 'detached' });
    expect((await rows.count()) === 101, `after "Show more": ${await rows.count()} clients`);
    const ids = await rows.getByRole('link').evaluateAll((links) => links.map((l) => l.getAttribute('href')));
    expect(new Set(ids).size === 101, 'a client is listed twice');
    await visit(page, 'clients-paged');
  });

  // The client portal (tests/e2e/portal.mjs), on a server and browser profile of its own.
  const portalProfile = mkdtempSync(join(tmpdir(), 'needlework-chromium-portal-'));
  try {
    await (await import('./portal.mjs')).portalFlow({
      chromium, chromiumPath, profileDir: portalProfile, bin, webRoot, data: process.env.NEEDLEWORK_DATA,
      step, visit, expect, field, apiFromPage, logIn, firstPasswordChange, cspViolations,
    });
  } finally {
    rmSync(portalProfile, { recursive: true, force: true });
  }

  await step('no page broke the Content-Security-Policy', async () => {
    expect(cspViolations.length === 0, cspViolations.join('\n'));
  });
} catch {
  // Reported by step(); the steps after a failure depend on it and are not run.
} finally {
  await context.close();
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`web.browser: screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
