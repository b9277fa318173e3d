// The client portal in the browser (issue #14, docs/portal.md), on a server of its own so its clients and
// sessions do not change what the main walk counts: two clients treated 30 hours ago (written by the CLI with
// --now before the server starts), the server delivering its outbox to the test SMTP server (smtp.mjs). The
// front desk sends Pia a portal link from her record; the link is read from the message the test SMTP server
// received; Pia follows it, sees her own sessions and visits — never Quinn's — reports redness and swelling 30
// hours after her session, and is told to see a doctor in the pack's words; she registers her home roller and
// logs a home session (its aftercare arrives by mail), and one two days later is refused with the rule; the
// staff's Today page shows the escalation. The used link, followed again, is refused on screen. axe-core and
// the touch-target check on every portal page, at tablet and phone size.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './server.mjs';
import { startSmtpSink } from './smtp.mjs';

const phone = { width: 390, height: 844 };
const tablet = { width: 1024, height: 768 };

/** Pia and Quinn, each with a face session that ended 30 hours ago and a visit booked. */
function portalPast(cli, dir) {
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const h = (n) => iso(Date.now() - n * 3_600_000);
  const today = (ms) => new Date(ms).toISOString().slice(0, 10);
  writeFileSync(join(dir, 'consent.txt'), 'I consent to micro-needling of the face.\n');
  const clients = [
    { id: 'C-P-001', name: 'Pia Example', email: 'pia@example.org', serial: '0001' },
    { id: 'C-P-002', name: 'Quinn Example', email: 'quinn@example.org', serial: '0002' },
  ];
  clients.forEach((c, i) => {
    const intake = JSON.parse(readFileSync(new URL('../../../examples/intake-cleared.json', import.meta.url), 'utf8'));
    intake.client = { id: c.id, name: c.name, date_of_birth: '1990-05-06' };
    intake.date = today(Date.now() - 40 * 3_600_000);
    intake.dermatologist_clearance.date = intake.date;
    writeFileSync(join(dir, `intake-${c.id}.json`), JSON.stringify(intake));
    cli(['clients', 'add', c.id, '--name', c.name, '--born', '1990-05-06', '--email', c.email, '--now', h(40)]);
    cli(['intake', join(dir, `intake-${c.id}.json`), '--now', h(39)]);
    cli(['consent', 'sign', c.id, '--text-file', join(dir, 'consent.txt'), '--signer', c.name, '--now', h(38)]);
    cli(['clients', 'messages', c.id, '--agree', '--now', h(38)]);
    cli(['roller', 'register', '--lot', 'L-PORTAL', '--serial', c.serial, '--device', 'dermaroller', '--needles', '192',
      '--needle-mm', '1.0', '--expiry', today(Date.now() + 400 * 86_400_000), '--now', h(37)]);
    cli(['roller', 'assign', String(i + 1), c.id, '--now', h(36)]);
    cli(['session', 'start', c.id, '--area', 'face', '--roller', String(i + 1), '--acknowledge', 'DEPTH.thin_skin', '--now', h(31)]);
    cli(['session', 'finish', String(i + 1), '--reason', 'browser test: steps not charted', '--now', h(30)]);
    // The visit booked for ten days on (past the course's interval), which the portal lists and offers as .ics.
    cli(['appointment', 'book', c.id, '--area', 'face', '--needle-mm', '1.0',
      '--at', iso(Math.floor((Date.now() + 10 * 86_400_000) / 3_600_000) * 3_600_000), '--now', h(29)]);
  });
}

export async function portalFlow({ chromium, chromiumPath, profileDir, bin, webRoot, data, step, visit, expect, field, apiFromPage, logIn, firstPasswordChange, cspViolations }) {
  const smtp = await startSmtpSink();
  const server = await startServer({ bin, webRoot, data, prepare: portalPast, env: smtp.env });
  const context = await chromium.launchPersistentContext(profileDir, {
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
  const staffPassword = 'portal lantern meadow 42';
  let link = '';
  try {
    await step('portal: the front desk sends a client a portal link from her record', async () => {
      await page.goto('/');
      await logIn(page, 'admin', server.password);
      await firstPasswordChange(page, server.password, staffPassword);
      await page.goto('/clients/C-P-001');
      await page.getByRole('heading', { name: 'Pia Example' }).waitFor();
      await page.getByRole('button', { name: 'Send portal link' }).click();
      await page.getByRole('status').filter({ hasText: 'sign-in link is queued' }).waitFor();
      await visit(page, 'portal-link-sent');
      // The link arrives at the test SMTP server, addressed to Pia (the server's delivery worker sent it).
      const mail = await smtp.message((m) => m.envelope_to.includes('pia@example.org') && /sign-in#token=/.test(m.text ?? ''));
      expect(mail.subject === 'Your sign-in link', `subject: ${mail.subject}`);
      const found = /\/portal\/sign-in#token=[A-Za-z0-9_-]+/.exec(mail.text);
      expect(found, `no sign-in link in the message: ${mail.text}`);
      link = found[0];
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: /log in/ }).waitFor();
    });

    await step('portal: the client follows the link and sees her own treatment, never another client’s', async () => {
      await page.goto(link);
      await page.getByRole('heading', { name: 'Hello, Pia Example' }).waitFor();
      // The heading shows while the page loads: the lists are there once it has loaded.
      await page.getByRole('list', { name: 'Your sessions' }).waitFor();
      expect(!page.url().includes('token='), `the used token stays in the address bar: ${page.url()}`);
      const text = await page.locator('main').textContent();
      expect(!/Quinn|C-P-002/.test(text), 'the portal shows another client');
      expect((await page.getByRole('list', { name: 'Your sessions' }).getByRole('listitem').count()) === 1, 'not exactly her one session');
      await visit(page, 'portal-home');
      // Quinn's session (id 2) through the API, with Pia's session: the same 404 as an id nobody has.
      const other = await page.evaluate(async () => (await fetch('/api/v1/portal/sessions/2/aftercare')).status);
      expect(other === 404, `Quinn's aftercare answered ${other} to Pia`);
      // Staff pages are not hers: the staff app sends a client back to the portal.
      await page.goto('/');
      await page.getByRole('heading', { name: 'Hello, Pia Example' }).waitFor();
    });

    await step('portal: her aftercare sheet, and her visits in her calendar', async () => {
      await page.getByRole('link', { name: 'Aftercare sheet' }).click();
      await page.getByRole('heading', { name: 'Aftercare after micro-needling' }).waitFor();
      await visit(page, 'portal-aftercare');
      await page.locator('.crumbs').getByRole('link', { name: 'Your treatment' }).click();
      await page.getByRole('heading', { name: 'Hello, Pia Example' }).waitFor();
    });

    await step('portal: redness and swelling 30 hours on — see a doctor, in the pack’s words', async () => {
      await page.getByRole('link', { name: /self-check/ }).first().click();
      await page.getByRole('heading', { name: 'How is your skin?' }).waitFor();
      await page.getByRole('checkbox', { name: 'Redness' }).check();
      await page.getByRole('checkbox', { name: 'Swelling' }).check();
      await visit(page, 'portal-self-check');
      await page.getByRole('button', { name: 'Send to the clinic' }).click();
      await page.getByRole('heading', { name: 'Your self-check' }).waitFor();
      const status = await page.getByRole('status').textContent();
      expect(/See a doctor/.test(status), `triage: ${status}`);
      const said = await page.locator('.triage').textContent();
      expect(/Redness that has not disappeared after 24 hours: consult a doctor/.test(said), `the pack's words are missing: ${said}`);
      expect(/The clinic has been told/.test(said), 'the client is not told the clinic knows');
      await visit(page, 'portal-self-check-result');
    });

    await step('portal: her home roller — a session logged, its aftercare mailed, one two days later refused with the rule', async () => {
      const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
      await page.goto('/portal');
      await page.getByRole('link', { name: /Home roller: log a session/ }).click();
      await page.getByRole('heading', { name: 'Your home roller' }).waitFor();
      // The next day the rule allows on her face: the course's interval after her professional session.
      const next = await page.getByRole('list', { name: 'Next home session allowed' }).textContent();
      expect(/Face: next home session from \d{4}-\d{2}-\d{2}/.test(next), `next allowed: ${next}`);
      await page.getByRole('button', { name: 'Register a home roller' }).click();
      await field(page, 'Lot').fill('H-PIA-1');
      await field(page, 'In use from').fill(day(-30));
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.getByRole('list', { name: 'Home rollers' }).getByText(/Lot H-PIA-1/).waitFor();
      // Her first home session, before the professional one (the rule keeps the course's interval after it).
      await field(page, 'Date').fill(day(-20));
      await page.getByRole('button', { name: 'Log home session' }).click();
      await page.getByRole('list', { name: 'Home sessions' }).getByText(day(-20)).waitFor();
      const aftercare = await smtp.message((m) => m.envelope_to.includes('pia@example.org') && /home session/.test(m.subject));
      expect(/^Aftercare after your home session on /.test(aftercare.subject), `home aftercare subject: ${aftercare.subject}`);
      expect(/unsubscribe#token=/.test(aftercare.text ?? ''), 'the home aftercare has no unsubscribe link');
      // Two days after it: refused, next to the date, with the rule.
      await field(page, 'Date').fill(day(-18));
      await page.getByRole('button', { name: 'Log home session' }).click();
      const refusal = page.locator('.field-invalid').filter({ has: field(page, 'Date') }).getByRole('alert');
      await refusal.waitFor();
      const text = await refusal.textContent();
      expect(/HOME\.maintenance/.test(text) && /2 days from the home session on/.test(text) && /earliest allowed date is/.test(text), `home session refusal: ${text}`);
      expect((await page.getByRole('list', { name: 'Home sessions' }).getByRole('listitem').count()) === 1, 'the refused session was recorded');
      await visit(page, 'portal-home-session-refused');
    });

    await step('portal: fits a phone', async () => {
      await page.setViewportSize(phone);
      await page.goto('/portal');
      await page.getByRole('heading', { name: 'Hello, Pia Example' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 0, `the portal is ${overflow} px wider than a phone`);
      await page.getByRole('button', { name: 'Add to calendar' }).click();
      const feed = await page.locator('.feed-url').textContent();
      expect(/\/api\/v1\/portal\/calendar\/[A-Za-z0-9_-]+\.ics$/.test(feed.trim()), `feed URL: ${feed}`);
      const ics = await page.evaluate(async (path) => {
        const r = await fetch(path);
        return { type: r.headers.get('Content-Type'), text: await r.text() };
      }, new URL(feed.trim()).pathname);
      expect(/^text\/calendar/.test(ics.type) && ics.text.startsWith('BEGIN:VCALENDAR\r\n'), `the feed: ${ics.type}`);
      await visit(page, 'portal-home-phone');
      await page.setViewportSize(tablet);
    });

    await step('portal: a used link is refused on screen and offers a new one', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to your treatment' }).waitFor();
      await page.goto(link);
      await page.getByRole('alert').filter({ hasText: /not valid/ }).waitFor();
      await field(page, 'Your email address').waitFor();
      await visit(page, 'portal-link-used');
      await field(page, 'Your email address').fill('pia@example.org');
      await page.getByRole('button', { name: 'Send me a link' }).click();
      await page.getByRole('status').filter({ hasText: 'If we know this address' }).waitFor();
    });

    await step('portal: the clinic’s Today page shows the escalation at once', async () => {
      await page.goto('/');
      await logIn(page, 'admin', staffPassword);
      await page.getByRole('heading', { name: 'Today' }).waitFor();
      const red = page.locator('.item.escalation').filter({ hasText: 'C-P-001' });
      await red.waitFor();
      expect((await page.locator('.item.escalation').filter({ hasText: 'C-P-002' }).count()) === 0, 'Quinn has an escalation she did not ask for');
      await visit(page, 'portal-today-escalation');
    });

    await step('portal: the front desk ends a client’s portal access (a lost phone), after asking', async () => {
      await page.goto('/clients/C-P-001');
      await page.getByRole('heading', { name: 'Pia Example' }).waitFor();
      await page.getByRole('button', { name: 'End portal access…' }).click();
      await page.getByRole('group').filter({ hasText: 'Sign the client out of the portal' }).waitFor();
      await visit(page, 'portal-end-access-confirm');
      await page.getByRole('button', { name: 'End portal access', exact: true }).click();
      const said = await page.getByRole('status').filter({ hasText: 'Portal access ended' }).textContent();
      expect(/calendar subscriptions? stopped/.test(said), `end access: ${said}`);
    });
  } finally {
    await context.close();
    await server.stop();
    await smtp.stop();
  }
}
