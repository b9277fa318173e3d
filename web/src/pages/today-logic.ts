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

export interface MessageLike {
  id: number;
  recipient?: string;
  subject: string;
  created_at: string;
  attempts?: number;
  last_error?: string;
}

/**
 * The failed messages as Today shows them, newest first: each with its recipient (or a note that there is
 * none), and the relay's last answer in one line (a multi-line SMTP reply joined; none said so). The server
 * decided they failed (docs/mail.md); this only orders and words them for the Retry list.
 */
export function failedMessages<M extends MessageLike>(messages: readonly M[]) {
  return [...messages]
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
    .map((m) => ({
      message: m,
      to: m.recipient && m.recipient.length > 0 ? m.recipient : '(no address)',
      answer:
        (m.last_error ?? '')
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l.length > 0)
          .join(' ') || 'no answer recorded',
      attempts: m.attempts ?? 0,
    }));
}
