// One walk used by several browser steps: the session start page for a client, the face chosen and a roller
// scanned (its number typed and Enter, as a barcode scanner does); answers the refusal shown next to the roller
// field (the server's words with its rule).

/** The roller refusal the start page shows for `clientId` and `rollerId`; fails the step when none comes. */
export async function rollerRefusalOnStartPage({ page, field, clientId, rollerId, heading = /^Start a session — / }) {
  await page.goto(`/clients/${encodeURIComponent(clientId)}/session`);
  await page.getByRole('heading', { name: heading }).waitFor();
  await page.getByLabel(/^Area/).selectOption('face');
  await field(page, 'Roller').pressSequentially(String(rollerId));
  await field(page, 'Roller').press('Enter');
  const error = page.locator('#f-roller-error');
  await error.waitFor();
  return (await error.textContent()) ?? '';
}
