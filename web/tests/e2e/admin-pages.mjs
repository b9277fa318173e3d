// The browser walk through the inventory and admin pages (run by run.mjs as the admin, after the Today and
// Clients walk): a roller registered from a scanned GS1 label and assigned; its lot recalled — every client and
// session it touched on screen — and recorded as recalled, after which the server refuses a session with it (the
// rule on the start page) and Today lists the lot until its rollers are disposed of; the simulator drawing two
// devices' heatmaps on one colour scale; a before and an after photo uploaded and shown side by side, and a
// baseline photo grouped by its own area; the audit chain verified and the log filtered on the server; an
// admin adding a user, resetting their password and making an API key. Every page goes through `visit` (axe,
// touch targets, a screenshot).

import { rollerRefusalOnStartPage } from './start-page.mjs';

/** A PNG made by the page's own canvas (a real image the server accepts), as bytes. */
async function makePng(page, colour) {
  const base64 = await page.evaluate((colour) => {
    const c = document.createElement('canvas');
    c.width = 96;
    c.height = 64;
    const g = c.getContext('2d');
    g.fillStyle = colour;
    g.fillRect(0, 0, 96, 64);
    g.fillStyle = '#ffffff';
    g.fillRect(30, 20, 36, 24);
    return c.toDataURL('image/png').split(',')[1];
  }, colour);
  return Buffer.from(base64, 'base64');
}

/** How many distinct colours an <img> shows (1 for a blank picture), read through a canvas. */
async function coloursOf(img) {
  return img.evaluate((el) => {
    const c = document.createElement('canvas');
    c.width = el.naturalWidth;
    c.height = el.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(el, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}

export async function adminPages({ page, step, visit, apiFromPage, field, expect, day }) {
  const expiry = day(300);
  const gs1Expiry = expiry.slice(2, 4) + expiry.slice(5, 7) + expiry.slice(8, 10);
  let rollerId = 0;

  await step('rollers: a roller registered from a scanned GS1 label, then assigned to its client', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollers' }).click();
    await page.getByRole('heading', { name: 'Rollers', exact: true }).waitFor();
    await page.getByRole('table', { name: 'Roller inventory' }).getByText('L-E2E').first().waitFor();
    await visit(page, 'rollers');
    await page.getByRole('button', { name: 'Register a roller' }).click();
    // A scanner types the label and Enter: the fields it carries are filled, nothing is submitted.
    await field(page, 'Scan the label').fill(`(01)05012345678900(17)${gs1Expiry}(10)L-E2E(21)0042`);
    await field(page, 'Scan the label').press('Enter');
    await page.getByText('Filled from the label: lot, serial, udi, expiry.').waitFor();
    expect((await field(page, 'Lot').inputValue()) === 'L-E2E', 'the scan did not fill the lot');
    expect((await field(page, 'Expiry').inputValue()) === expiry, `the scan gave expiry ${await field(page, 'Expiry').inputValue()}`);
    await field(page, 'Device').selectOption('dermaroller');
    await field(page, 'Needles').fill('192');
    await field(page, 'Needle length (mm)').fill('9');
    await page.getByRole('button', { name: 'Register' }).click();
    // The server's range check, next to the field it names; what was typed stays.
    const error = page.locator('#f-needle_length_mm-error');
    await error.waitFor();
    expect((await field(page, 'Serial').inputValue()) === '0042', 'the typed serial was lost');
    await visit(page, 'roller-register-refused');
    await field(page, 'Needle length (mm)').fill('1.0');
    await page.getByRole('button', { name: /Register|Try again/ }).click();
    await page.getByRole('heading', { name: /^Roller #\d+ — dermaroller/ }).waitFor();
    rollerId = Number(/\/rollers\/(\d+)$/.exec(page.url())?.[1]);
    expect(rollerId > 0, `roller page ${page.url()}`);
    await field(page, 'Client id').fill('C-2026-002');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByText('Assigned to C-2026-002.').waitFor();
    await visit(page, 'roller');
  });

  await step('rollers: recalling the lot shows every client and session it touched, and records the recall', async () => {
    await page.getByRole('link', { name: 'L-E2E' }).click();
    await page.getByRole('heading', { name: 'Recall a lot' }).waitFor();
    const sessions = page.getByRole('list', { name: 'Sessions touched' });
    await sessions.getByText(/^Session 1 — C-2026-002, face/).waitFor();
    await page.getByRole('list', { name: 'Clients touched' }).getByRole('link', { name: 'C-2026-002' }).waitFor();
    const rollers = await page.getByRole('list', { name: 'Rollers of the lot' }).getByRole('listitem').count();
    expect(rollers === 3, `the lot has ${rollers} rollers on screen`);
    await visit(page, 'recall');
    await field(page, "Reason (the manufacturer's notice)").fill('sterility not assured (maker notice 2026-12)');
    await page.getByRole('button', { name: 'Record the recall of lot L-E2E' }).click();
    await page.getByText(/Recalled .* sterility not assured .* RECORD\.lot_recalled/).waitFor();
    await visit(page, 'recall-recorded');
  });

  await step('a recalled lot blocks a session; Today lists it until its rollers are disposed of', async () => {
    const started = await apiFromPage(page, 'POST', '/api/v1/sessions', {
      client_id: 'C-2026-002', area: 'face', roller_id: rollerId, acknowledge: ['DEPTH.thin_skin'],
    });
    expect(
      started.status === 409 && started.body?.error?.rule === 'RECORD.lot_recalled' && /L-E2E/.test(started.body.error.message),
      `session with a recalled roller: ${started.status} ${JSON.stringify(started.body)}`,
    );
    // On screen: the session start page shows the refusal and its rule next to the roller field.
    const msg = await rollerRefusalOnStartPage({ page, field, clientId: 'C-2026-002', rollerId });
    expect(/RECORD\.lot_recalled/.test(msg) && /L-E2E/.test(msg), `recalled roller on the start page: ${msg}`);
    await visit(page, 'session-start-recalled');
    await page.goto('/');
    const recalled = page.getByRole('list', { name: 'Recalled lots still in stock' });
    await recalled.getByText(/Lot L-E2E recalled .* 3 rollers not yet disposed of/).waitFor();
    await visit(page, 'today-recalled');
    await page.goto('/rollers/recall?lot=L-E2E');
    await page.getByRole('button', { name: 'Dispose of 3 rollers' }).click();
    await page.getByText('Every roller of lot L-E2E is disposed of.').waitFor();
    await visit(page, 'recall-disposed');
    await page.goto('/');
    await page.getByRole('heading', { name: 'Recalled lots still in stock' }).waitFor();
    await page.getByRole('list', { name: 'Recalled lots still in stock' }).waitFor({ state: 'detached' });
  });

  await step('simulator: two devices side by side, their heatmaps drawn on one colour scale', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Simulator' }).click();
    await page.getByRole('heading', { name: 'Simulator' }).waitFor();
    await visit(page, 'simulator');
    await page.getByLabel('Device', { exact: true }).selectOption('roller-192');
    await page.getByLabel('Compare with').selectOption('pen-36');
    await page.getByLabel('Skin region').selectOption('cheek');
    await page.getByRole('button', { name: 'Simulate' }).click();
    const maps = page.locator('img.heatmap');
    await maps.nth(1).waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('img.heatmap, img.picture')].every((i) => i.complete && i.naturalWidth > 0), null, {
      timeout: 60_000,
    });
    for (let i = 0; i < 2; i++) {
      const colours = await coloursOf(maps.nth(i));
      expect(colours > 8, `heatmap ${i} shows ${colours} colours: blank`);
    }
    await page.getByRole('img', { name: /^Colour scale: 0 to 500 punctures per cm²$/ }).waitFor();
    await page.getByRole('heading', { name: /^roller-192 on the cheek/ }).waitFor();
    await page.getByRole('heading', { name: /^pen-36 on the cheek/ }).waitFor();
    await page.getByRole('img', { name: /^Epidermis [\d.]+ %, Papillary dermis/ }).first().waitFor();
    await visit(page, 'simulator-result');
  });

  await step('photos: a before and an after photo from the camera field, shown side by side for the session', async () => {
    await page.goto('/clients/C-2026-002');
    await page.getByRole('link', { name: 'Photos' }).click();
    await page.getByRole('heading', { name: 'Photos — Bea Example' }).waitFor();
    expect((await page.locator('#photo-file').getAttribute('capture')) === 'environment', 'the file field does not open the camera');
    await visit(page, 'photos');
    // A file that is not a photo: the server's refusal is shown, and the form keeps what was typed.
    await page.locator('#photo-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await page.getByLabel('Note').fill('left cheek, before');
    await page.getByRole('button', { name: 'Upload' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(/image\/jpeg or image\/png/.test(await refusal.textContent()), `photo refusal: ${await refusal.textContent()}`);
    expect((await page.getByLabel('Note').inputValue()) === 'left cheek, before', 'the typed note was lost');
    await visit(page, 'photos-refused');
    for (const [kind, colour] of [['before', '#aa3355'], ['after', '#3355aa']]) {
      await page.locator('#photo-file').setInputFiles({ name: `${kind}.png`, mimeType: 'image/png', buffer: await makePng(page, colour) });
      await page.getByLabel('Kind').selectOption(kind);
      await page.getByLabel('Session').selectOption('1');
      await page.getByLabel('Note').fill(`left cheek, ${kind}`);
      await page.getByRole('button', { name: /^(Upload|Try again)$/ }).click();
      await page.getByRole('img', { name: new RegExp(`^${kind} photo \\d+: left cheek, ${kind}$`) }).waitFor();
    }
    const group = page.getByRole('region', { name: /^face, / });
    await page.waitForFunction(() => [...document.querySelectorAll('.photo img')].every((i) => i.complete && i.naturalWidth === 96));
    expect((await group.locator('.photo img').count()) === 2, 'the pair is not in one group');
    await visit(page, 'photos-pair');
    // A baseline photo with no session names its own area, and is grouped under it (not under "No area").
    await page.locator('#photo-file').setInputFiles({ name: 'scalp.png', mimeType: 'image/png', buffer: await makePng(page, '#33aa55') });
    await page.getByLabel('Kind').selectOption('before');
    await page.getByLabel('Session').selectOption('');
    await page.getByLabel('Area').selectOption('scalp');
    await page.getByLabel('Note').fill('scalp, baseline');
    await page.getByRole('button', { name: /^(Upload|Try again)$/ }).click();
    const baseline = page.getByRole('region', { name: /^scalp, / });
    await baseline.getByRole('img', { name: /^before photo \d+: scalp, baseline$/ }).waitFor();
    expect((await page.getByRole('region', { name: /^No area, / }).count()) === 0, 'the baseline photo lost its area');
    await visit(page, 'photos-baseline');
  });

  await step('audit: the chain verifies and the server filters the log by table and record', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await visit(page, 'audit');
    await page.getByRole('button', { name: 'Verify the audit chain' }).click();
    const ok = page.getByText(/^The chain is intact: \d+ entries, \d+ records checked\.$/);
    await ok.waitFor();
    const rows = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
    const records = () => page.getByRole('table', { name: 'Audit log' }).locator('tbody tr td:nth-child(5)').allTextContents();
    // The filters go to the server (GET /api/v1/audit?table=…): the answer holds only what they select.
    const asked = page.waitForRequest((r) => /\/api\/v1\/audit\?.*table=clients/.test(r.url()));
    await field(page, 'Table').fill('clients');
    await field(page, 'Record id').fill('C-2026-001');
    await page.getByRole('button', { name: 'Show these entries' }).click();
    await asked;
    await page.getByText(/matching entries loaded/).waitFor();
    const clients = await records();
    expect(clients.length >= 2 && clients.every((t) => t.trim() === 'clients C-2026-001'), `filtered rows: ${clients.join(', ')}`);
    expect(await rows.filter({ hasText: 'update' }).count() >= 1, 'the client edit is not in the log');
    await visit(page, 'audit-verified');
    // A table the server does not know: its refusal next to the field, what was typed kept.
    await field(page, 'Table').fill('passwords');
    await page.getByRole('button', { name: /^(Show these entries|Try again)$/ }).click();
    const error = page.locator('#f-table-error');
    await error.waitFor();
    expect(/not a record table/.test(await error.textContent()), `table message: ${await error.textContent()}`);
    expect((await field(page, 'Record id').inputValue()) === 'C-2026-001', 'the typed record id was lost');
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    await page.getByText(/entries loaded \((more to load|the whole log)\)/).waitFor();
  });

  await step('users: an admin adds a user (one-time password shown once), resets it and makes an API key', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await visit(page, 'users');
    await page.getByRole('button', { name: 'Add a user' }).click();
    await field(page, 'User name').fill('pablo');
    await field(page, 'Role').selectOption('practitioner');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('heading', { name: 'One-time password for pablo' }).waitFor();
    const oneTime = (await page.locator('.secret-value').textContent()).trim();
    expect(oneTime.length >= 12, `one-time password "${oneTime}"`);
    await page.getByRole('list', { name: 'Staff users' }).getByText('pablo', { exact: true }).waitFor();
    await visit(page, 'users-added');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Reset password of pablo' }).click();
    await page.getByRole('heading', { name: 'New one-time password for pablo' }).waitFor();
    expect((await page.locator('.secret-value').textContent()).trim() !== oneTime, 'the reset gave the same password');
    await page.getByRole('button', { name: 'Done' }).click();
    await field(page, 'Label').fill('booking system');
    await page.getByRole('button', { name: 'Make the key' }).click();
    await page.getByRole('heading', { name: /^API key “booking system”/ }).waitFor();
    expect((await page.locator('.secret-value').textContent()).trim().startsWith('nwk_'), 'no key shown');
    await page.getByRole('button', { name: 'Revoke the key booking system' }).waitFor();
    await visit(page, 'users-key');
    await page.getByRole('button', { name: 'Done' }).click();
  });

  await step('at phone size the inventory and admin pages fit (wide tables scroll inside their own region)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, heading, name] of [
      ['/rollers', 'Rollers', 'rollers-phone'],
      [`/rollers/${rollerId}`, /^Roller #/, 'roller-phone'],
      ['/simulator', 'Simulator', 'simulator-phone'],
      ['/clients/C-2026-002/photos', 'Photos — Bea Example', 'photos-phone'],
      ['/audit', 'Audit', 'audit-phone'],
      ['/users', 'Users', 'users-phone'],
    ]) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, exact: typeof heading === 'string' }).first().waitFor();
      await visit(page, name);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 0, `${path} is ${overflow} px wider than a phone`);
    }
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto('/');
  });
}
