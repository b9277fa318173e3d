// The clinical flow in the browser (run by run.mjs after its own walk, on the same server and page): a client
// from intake and screening to a planned course with its visits booked (and a booking the interval rule
// refuses), consent and a roller, a whole session — the roller typed as a scanner types it, the depth-guard
// warning acknowledged, every protocol step, the timed steps counted down under Playwright's clock control
// (page.clock: no sleeps) and surviving a reload, a zone charted with its dose heatmap — then the aftercare
// sheet (queued to the outbox; printed to a one-page A4 PDF, whose text is checked as the page prints it: the
// HTML's text with print media emulated), the 24-hour follow-up, "see a doctor" red on Today, another
// client refused the first client's roller, a reception user refused the session and its charting, and a home
// session logged two days after the previous one refused next to its date with the rule (HOME.maintenance).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollerRefusalOnStartPage } from './start-page.mjs';

export async function clinicFlow(t) {
  const { page, step, visit, expect, field, apiFromPage, logIn, day, adminPassword, reception, shots } = t;
  const dbg = async (fn) => {
    try {
      await fn();
    } catch (e) {
      await page.screenshot({ path: join(shots, 'clinic-failure.png'), fullPage: true }).catch(() => {});
      throw e;
    }
  };
  const post = async (path, body) => {
    const r = await apiFromPage(page, 'POST', path, body);
    expect(r.status < 300, `POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const client = { id: 'C-2026-003', name: 'Cleo Example' };
  // The course's first visit: today, booked at 23:30 UTC below — tomorrow in the day's last hour, when 23:30
  // would already be past.
  const first = new Date().getUTCHours() >= 23 ? 1 : 0;
  let rollerId = 0;
  let sessionId = 0;

  await step('clinic: a new client is screened cleared for the face through the intake map', async () => {
    await dbg(async () => {
      await logIn(page, 'admin', adminPassword);
      await page.getByRole('button', { name: 'Log out' }).waitFor();
    });
    // The clock the countdowns read from here on: Playwright's, moved by fastForward (time still flows).
    await page.clock.install();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await post('/api/v1/clients', { id: client.id, name: client.name, date_of_birth: '1992-06-01' });
    await page.goto(`/clients/${client.id}/intake`);
    await page.getByRole('heading', { name: `Intake — ${client.name}` }).waitFor();
    const cheek = page.locator('path[data-region="cheek"]');
    const box = await cheek.boundingBox();
    await cheek.tap({ position: { x: box.width * 0.2, y: box.height / 2 } });
    await page.getByRole('group', { name: 'Concerns for Face' }).getByLabel('Smooth the skin').check();
    await field(page, 'Cleared by').fill('Dr. Jane Roe');
    await field(page, 'Date of the clearance').fill(await field(page, 'Intake date').inputValue());
    await page.getByRole('button', { name: 'Screen and record' }).click();
    await page.getByRole('heading', { name: 'Screening decision' }).waitFor();
    const status = await page.getByRole('status').textContent();
    expect(/cleared/i.test(status), `decision: ${status}`);
  });

  await step('clinic: plan the course — per area, on a month calendar, with review date and costs', async () => {
    await page.goto(`/clients/${client.id}`);
    await page.getByRole('link', { name: 'Plan a course' }).click();
    await page.getByRole('heading', { name: `Plan a course — ${client.name}` }).waitFor();
    await visit(page, 'plan-form');
    await field(page, 'First visit').fill(day(first));
    await page.getByRole('button', { name: 'Plan the course' }).click();
    await page.getByRole('heading', { name: /^Course \d+$/ }).waitFor();
    const row = page.locator('table.course tbody tr').first();
    const text = await row.textContent();
    expect(/face/.test(text) && /mm/.test(text), `course row: ${text}`);
    const visits = page.locator('table.calendar td.visit');
    expect((await visits.count()) >= 2, `visits on the calendar: ${await visits.count()}`);
    expect((await page.locator(`table.calendar td.visit[data-date="${day(first)}"]`).count()) === 1, 'the first visit is not on its day');
    await page.getByText('Review date').waitFor();
    await page.getByText('Course cost').waitFor();
    await visit(page, 'plan');
  });

  await step('clinic: the visits are booked; one more the day after is refused by the interval rule, with the rule', async () => {
    // Booked late in the day: a visit in the past is refused, and the walk may run at any hour.
    await field(page, 'Time of each visit').fill('23:30');
    await page.getByRole('button', { name: 'Book all visits' }).click();
    const list = page.getByRole('list', { name: 'Visits to book' });
    const items = list.getByRole('listitem');
    const n = await items.count();
    await list.locator('.ok').nth(n - 1).waitFor();
    expect((await list.locator('.ok').count()) === n, 'not every visit was booked');
    await page.getByRole('status').filter({ hasText: `All ${n} visits are booked.` }).waitFor();
    const extra = page.locator('form.extra');
    await extra.getByLabel(/^Date/).fill(day(first + 1));
    await extra.getByRole('button', { name: 'Book' }).click();
    const error = page.locator('#f-date-error');
    await error.waitFor();
    const msg = await error.textContent();
    expect(/Refused by rule \S+/.test(msg) && /later date/.test(msg), `interval refusal: ${msg}`);
    expect((await extra.getByLabel(/^Date/).inputValue()) === day(first + 1), 'the typed date was lost');
    await visit(page, 'plan-booked');
  });

  await step('clinic: consent signed and a roller registered and assigned (the API, as the Rollers page would)', async () => {
    await post(`/api/v1/clients/${client.id}/consents`, { text: 'I consent to micro-needling of the face.', signer: client.name });
    const roller = await post('/api/v1/rollers', {
      lot: 'L-E2E-CLINIC', serial: '0001', device: 'dermaroller', needle_count: 192, needle_length_mm: 1.0, expiry: day(400),
    });
    rollerId = roller.id;
    await post(`/api/v1/rollers/${rollerId}/assign`, { client_id: client.id });
  });

  await step('clinic: the roller scanned (typed + Enter); the depth warning shown with its rule and margin, acknowledged', async () => {
    await page.goto(`/clients/${client.id}`);
    await page.getByRole('link', { name: 'Start a session' }).click();
    await page.getByRole('heading', { name: `Start a session — ${client.name}` }).waitFor();
    await page.getByLabel(/^Area/).selectOption('face');
    await visit(page, 'session-start');
    // A barcode scanner types the label's characters and Enter.
    await field(page, 'Roller').pressSequentially(`R${rollerId}`);
    await field(page, 'Roller').press('Enter');
    const ack = page.getByRole('group', { name: 'Depth-guard warnings to acknowledge' });
    await ack.waitFor();
    const ackText = await ack.textContent();
    expect(/DEPTH\.\w+/.test(ackText) && /%/.test(ackText) && /mm/.test(ackText), `warning: ${ackText}`);
    await page.getByRole('alert').filter({ hasText: /acknowledg/ }).first().waitFor();
    await visit(page, 'session-start-warning');
    await ack.getByRole('checkbox').first().check();
    await page.getByRole('button', { name: /Acknowledge and start|Try again/ }).click();
    await page.getByRole('heading', { name: /^Session \d+ — face$/ }).waitFor();
    sessionId = Number(/\/sessions\/(\d+)/.exec(page.url())[1]);
    expect(sessionId > 0, `session url ${page.url()}`);
    await visit(page, 'session-runner');
  });

  const stepItem = (id) => page.locator(`li.step[data-step="${id}"]`);
  const timerText = async (id) => (await stepItem(id).getByRole('timer').textContent()).trim();

  await step('clinic: the protocol checklist, with countdowns from the protocol that the clock moves and a reload keeps', async () => {
    const ids = await page.locator('li.step').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    expect(ids.includes('STEP.anaesthetic_wait') && ids.includes('STEP.roll'), `steps: ${ids}`);
    for (const id of ids) {
      const item = stepItem(id);
      const startButton = item.getByRole('button', { name: /^Start timer/ });
      if (await startButton.count()) {
        const label = await startButton.textContent();
        const [, lo, hi] = /\((\d+)–(\d+) min\)/.exec(label);
        await startButton.click();
        // The clock keeps flowing while the test works: a countdown is checked to within 15 s of its value.
        const left = async () => {
          const m = /^(\d+):(\d\d) until (\d+) min$/.exec(await timerText(id));
          expect(m && m[3] === lo, `countdown: ${await timerText(id)}`);
          return Number(m[1]) * 60 + Number(m[2]);
        };
        const near = async (want, what) => {
          // Waits until the page has drawn the moved clock (the countdown re-renders on its next tick).
          await page
            .waitForFunction(
              ({ id, want }) => {
                const el = document.querySelector(`li.step[data-step="${id}"] [role="timer"]`);
                const m = el && /^(\d+):(\d\d) until/.exec(el.textContent.trim());
                const got = m ? Number(m[1]) * 60 + Number(m[2]) : -1;
                return got <= want && got > want - 15;
              },
              { id, want },
              { timeout: 5000 },
            )
            .catch(() => {});
          const got = await left();
          expect(got <= want && got > want - 15, `${what}: ${got} s left, expected ${want}`);
        };
        await near(Number(lo) * 60, 'at the start');
        await page.clock.fastForward(2 * 60_000);
        await near((Number(lo) - 2) * 60, 'two minutes on');
        // A reload: the countdown comes back from the stored start, two minutes gone.
        await page.reload();
        await stepItem(id).getByRole('timer').waitFor();
        await near((Number(lo) - 2) * 60, 'after a reload');
        if (id === 'STEP.anaesthetic_wait') await visit(page, 'session-timer-running');
        await page.clock.fastForward((Number(lo) - 2) * 60_000);
        await stepItem(id).locator('.timer[data-phase="ready"]').waitFor();
        expect(/^Ready: \d+:\d\d left of \d+ min$/.test(await timerText(id)), `ready: ${await timerText(id)}`);
        expect(Number(hi) > Number(lo), 'the range has no maximum');
        if (id === 'STEP.anaesthetic_wait') await visit(page, 'session-timer-ready');
      }
      await stepItem(id).getByRole('button', { name: /^Done: / }).click();
      await stepItem(id).locator('.ok').waitFor();
    }
    expect((await page.locator('li.step.done').count()) === ids.length, 'not every step is done');
  });

  await step('clinic: a zone charted on the face map with the dose from physics: heatmap with its scale, layer bars', async () => {
    const cheek = page.locator('.chart-map path[data-region="cheek"]');
    if (await cheek.count()) {
      const box = await cheek.boundingBox();
      await cheek.tap({ position: { x: box.width * 0.2, y: box.height / 2 } });
    }
    const zone = await page.locator('input[name="zone"]:checked').inputValue();
    await field(page, 'Passes').fill('4');
    await page.getByRole('button', { name: /^Chart the / }).click();
    // The zone's row comes from the session detail (stored by the server); its heatmap is the server's PNG of
    // the stored zone. Checked as charted, and again after a reload: nothing lives only in the page.
    const checkZone = async (when) => {
      const dose = page.locator(`.dose[data-zone="${zone}"]`);
      await dose.waitFor({ timeout: 60_000 });
      await dose.locator('img.heatmap[data-drawn="true"]').waitFor({ timeout: 60_000 });
      const colours = await dose.locator('img.heatmap').evaluate((img) => {
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        const seen = new Set();
        for (let i = 0; i < data.length; i += 4 * 97) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
        return { size: `${c.width}×${c.height}`, distinct: seen.size };
      });
      expect(colours.distinct > 5, `${when}: the heatmap is flat: ${JSON.stringify(colours)}`);
      const bars = dose.locator('table.bars tr');
      expect((await bars.count()) === 4, `${when}: layer bars: ${await bars.count()}`);
      const shares = await dose.locator('table.bars .num').allTextContents();
      const total = shares.map((s) => (s.startsWith('<') ? 0 : parseFloat(s))).reduce((a, b) => a + b, 0);
      expect(Math.abs(total - 100) < 1, `${when}: layer shares add up to ${total} %: ${shares}`);
      await dose.getByText(/Charted: \d+ punctures\/cm²/).waitFor();
      expect((await page.locator('.dose').count()) === 1, `${when}: one zone row`);
    };
    await checkZone('charted');
    await visit(page, 'session-charted');
    await page.reload();
    await checkZone('after a reload');
  });

  await step('clinic: finishing leads to the aftercare sheet, queued to the outbox as the API says', async () => {
    await page.getByRole('button', { name: 'Finish the session' }).click();
    await page.getByRole('heading', { name: 'Aftercare after micro-needling' }).waitFor();
    const queued = await page.getByRole('list', { name: 'Outbox' }).textContent();
    expect(/Queued to the outbox: message \d+/.test(queued), `outbox: ${queued}`);
    await page.getByRole('heading', { name: 'See a doctor if' }).waitFor();
    await visit(page, 'aftercare');
  });

  await step('clinic: the aftercare prints to one clean A4 page (PDF), its text checked with print media emulated', async () => {
    // The sheet as the API answered the page (its times in UTC), to compare with what the page prints.
    const [answer] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/aftercare' && r.request().method() === 'POST'),
      page.reload(),
    ]);
    const sheet = await answer.json();
    await page.getByRole('heading', { name: 'Aftercare after micro-needling' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => document.body.innerText);
    expect(/Aftercare after micro-needling/.test(printed) && /See a doctor if/.test(printed) && /C-2026-003/.test(printed), 'the printed sheet lacks its text');
    // Times in the clinic's locale and zone (the browser's), never the API's UTC text; each source once.
    const until = sheet.phases.find((ph) => ph.phase === 'first_day' && ph.until)?.until;
    expect(until, `no first-day phase with an end: ${JSON.stringify(sheet.phases)}`);
    const shown = await page.evaluate((u) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(u)), until);
    expect(printed.includes(`until ${shown}`), `the first day's end is not printed as “${shown}”: ${printed.slice(0, 400)}`);
    expect(!/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(printed), `the sheet prints a raw UTC time: ${/.{0,40}\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.{0,10}/.exec(printed)?.[0]}`);
    const sourcesLine = /Sources: (.*)/.exec(printed)?.[1] ?? '';
    const ids = sheet.sources.map((src) => src.split(':')[0].trim());
    expect(ids.length > 0, 'the sheet has no sources');
    for (const id of ids) {
      const times = sourcesLine.split(new RegExp(`\\b${id}\\b`)).length - 1;
      expect(times === 1, `source ${id} is on the sources line ${times} times: ${sourcesLine}`);
    }
    expect(!/Log out|Queued to the outbox|Print/.test(printed), `the print shows the app around the sheet: ${printed.slice(0, 200)}`);
    await page.screenshot({ path: join(shots, 'aftercare-print.png'), fullPage: true });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    writeFileSync(join(shots, 'aftercare.pdf'), pdf);
    const text = pdf.toString('latin1');
    const pages = (text.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages === 1, `the aftercare prints on ${pages} pages`);
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
    expect(box && Math.abs(Number(box[1]) - 595.3) < 2 && Math.abs(Number(box[2]) - 841.9) < 2, `not A4: ${box && box[0]}`);
  });

  await step('clinic: at phone size the runner and the sheet fit', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [[`/sessions/${sessionId}`, 'session-runner-phone'], [`/sessions/${sessionId}/aftercare`, 'aftercare-phone']]) {
      await page.goto(path);
      await page.getByRole('heading', { name: /^Session \d+ — face$|^Aftercare after micro-needling$/ }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 0, `${name} is ${overflow} px wider than a phone`);
      await visit(page, name);
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  await step('clinic: the follow-up form — normal healing, then "see a doctor" opens an escalation shown red on Today', async () => {
    await page.getByRole('link', { name: 'Follow-up' }).click();
    await page.getByRole('heading', { name: /^Follow-up — session/ }).waitFor();
    await visit(page, 'followup');
    await page.getByRole('checkbox', { name: /dry/i }).check();
    await page.getByRole('button', { name: 'Record the follow-up' }).click();
    await page.getByRole('status').filter({ hasText: 'Normal healing' }).waitFor();
    await page.locator('.triage code', { hasText: /^FU\./ }).first().waitFor();
    await visit(page, 'followup-normal');
    // Session 1 of Bea (run.mjs: three days ago): swelling after 24 hours is for a doctor.
    await page.goto('/sessions/1/followup');
    await page.getByRole('heading', { name: /^Follow-up — session 1/ }).waitFor();
    await page.getByRole('checkbox', { name: /swelling/i }).check();
    await page.getByRole('button', { name: 'Record the follow-up' }).click();
    await page.getByRole('status').filter({ hasText: 'See a doctor' }).waitFor();
    const opened = await page.locator('.escalation-opened').textContent();
    const escalation = /Escalation (\d+) opened/.exec(opened)[1];
    const colour = await page.locator('.triage.see-doctor').evaluate((el) => getComputedStyle(el).color);
    expect(colour === 'rgb(179, 38, 30)', `the triage is not red: ${colour}`);
    await visit(page, 'followup-see-doctor');
    await page.getByRole('link', { name: 'Today' }).last().click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const red = page.locator('.item.escalation').filter({ hasText: 'C-2026-002' });
    await red.first().waitFor();
    expect((await red.count()) >= 2, `escalations on Today: ${await red.count()} (escalation ${escalation} missing)`);
    const redColour = await red.last().evaluate((el) => getComputedStyle(el).color);
    expect(redColour === 'rgb(179, 38, 30)', `the escalation is not red: ${redColour}`);
  });

  await step('clinic: another client cannot use the first client’s roller — the refusal on screen', async () => {
    const msg = await rollerRefusalOnStartPage({
      page, field, clientId: 'C-2026-002', rollerId, heading: /^Start a session — Bea Example/,
    });
    expect(/belongs to client C-2026-003/.test(msg) && /HYG\.single_client|single/.test(msg), `roller refusal: ${msg}`);
    await visit(page, 'session-start-roller-refused');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: /log in/ }).waitFor();
  });

  await step('clinic: a reception user has no session or charting, and the server’s 403 is shown', async () => {
    await logIn(page, reception.name, reception.password);
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.goto(`/clients/${client.id}`);
    await page.getByRole('heading', { name: client.name }).waitFor();
    expect((await page.getByRole('link', { name: /Start a session|Plan a course/ }).count()) === 0, 'reception is offered clinical work');
    await page.goto(`/sessions/${sessionId}`);
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(/not allowed|forbidden|role/i.test(await refusal.textContent()), `reception on the runner: ${await refusal.textContent()}`);
    await page.getByText(/403 forbidden/).waitFor();
    expect((await page.getByRole('button', { name: /^Chart the / }).count()) === 0, 'reception sees charting');
    const chart = await apiFromPage(page, 'POST', `/api/v1/sessions/${sessionId}/chart`, { passes: 3 });
    expect(chart.status === 403, `chart as reception: ${chart.status}`);
    await visit(page, 'session-reception-refused');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: /log in/ }).waitFor();
  });

  await step('clinic: a home session logged two days after the previous one is refused on screen with the rule', async () => {
    await logIn(page, reception.name, reception.password);
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    const home = { id: 'C-2026-004', name: 'Dora Example' };
    await post('/api/v1/clients', { id: home.id, name: home.name });
    const roller = await post(`/api/v1/clients/${home.id}/home-rollers`, { device: 'home_roller', lot: 'H-2026-12', registered_on: day(-5) });
    await post(`/api/v1/clients/${home.id}/home-sessions`, { home_roller_id: roller.id, area: 'face', performed_on: day(-3) });
    await page.goto(`/clients/${home.id}`);
    await page.getByRole('heading', { name: 'Home maintenance' }).waitFor();
    await page.getByRole('list', { name: 'Home rollers' }).getByText(/1 use\b/).waitFor();
    await field(page, 'Date').fill(day(-1));
    await page.getByRole('button', { name: 'Log home session' }).click();
    const refusal = page.locator('.field-invalid').filter({ has: field(page, 'Date') }).getByRole('alert');
    await refusal.waitFor();
    const text = await refusal.textContent();
    expect(/HOME\.maintenance/.test(text) && /earliest allowed date is/.test(text), `home session refusal: ${text}`);
    expect((await page.getByRole('list', { name: 'Home sessions' }).getByRole('listitem').count()) === 1, 'the refused session was recorded');
    await visit(page, 'home-session-refused');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: /log in/ }).waitFor();
  });
}
