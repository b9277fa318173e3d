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
