// What Today picks out of the rollers: those a session may soon be refused for (expired, or expiring within
// the warning window), leaving disposed ones out. The refusal itself is the server's (roller rules in the
// store); this only tells the staff ahead of time.

export interface RollerLike {
  id: number;
  expiry: string; // YYYY-MM-DD
  state: string;
}

/** Days from `today` (YYYY-MM-DD) to `date` (YYYY-MM-DD); negative when past. */
export function daysUntil(date: string, today: string): number {
  const a = Date.parse(`${today}T00:00:00Z`);
  const b = Date.parse(`${date}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

export function rollersToWatch<R extends RollerLike>(rollers: readonly R[], today: string, windowDays = 30) {
  return rollers
    .filter((r) => r.state !== 'disposed' && daysUntil(r.expiry, today) <= windowDays)
    .map((r) => ({ roller: r, days: daysUntil(r.expiry, today) }))
    .sort((a, b) => a.days - b.days);
}

export interface RecallLike {
  lot: string;
  recalled_at: string;
}

/**
 * The recorded recalls whose lot still has rollers not disposed of, newest recall first, each with those
 * rollers: the server already refuses every use of them (RECORD.lot_recalled); Today asks for them to be
 * found and disposed of. A recall whose rollers are all disposed is done and not shown.
 */
export function recallsToAct<C extends RecallLike, R extends RollerLike & { lot: string }>(
  recalls: readonly C[],
  rollers: readonly R[],
) {
  return recalls
    .map((recall) => ({ recall, inStock: rollers.filter((r) => r.lot === recall.lot && r.state !== 'disposed') }))
    .filter((x) => x.inStock.length > 0)
    .sort((a, b) => b.recall.recalled_at.localeCompare(a.recall.recalled_at));
}
