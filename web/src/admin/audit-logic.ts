// The Audit page's own logic (tests/unit/audit-logic.test.ts): the query that asks the server for a page of the
// entries the filters select (GET /api/v1/audit pages by `seq`, docs/server.md; the pages are followed by
// forms/paged.tsx) — the server filters (in SQL, through its indexes), the page only asks.

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
}

/** The filters as typed; their names are the API's query parameters, so its `field` names the input. */
export interface AuditFilter {
  actor: string;
  action: string;
  /** The record table (clients, rollers, …). */
  table: string;
  /** The record's id, exactly (a client id, a roller id…). */
  record: string;
  /** YYYY-MM-DD, inclusive; empty for no bound. */
  from: string;
  /** YYYY-MM-DD, inclusive (the day after it is the server's exclusive bound); empty for no bound. */
  to: string;
}

export const noFilter: AuditFilter = { actor: '', action: '', table: '', record: '', from: '', to: '' };

/** The day after a YYYY-MM-DD date (UTC), as YYYY-MM-DD; the text unchanged when it is not a date. */
export function nextDay(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(t)) return date;
  return new Date(t + 86_400_000).toISOString().slice(0, 10);
}

export interface AuditQuery {
  limit: number;
  cursor?: string;
  actor?: string;
  action?: string;
  table?: string;
  record?: string;
  from?: string;
  to?: string;
}

/**
 * The query of GET /api/v1/audit for a page of the entries `f` selects: only the filters set, trimmed; the
 * days as UTC times (from the start of `from`, to the start of the day after `to`, which the server excludes).
 */
export function auditQuery(f: AuditFilter, cursor: string | null, limit = 200): AuditQuery {
  const q: AuditQuery = { limit };
  if (cursor) q.cursor = cursor;
  for (const k of ['actor', 'action', 'table', 'record'] as const) {
    const v = f[k].trim();
    if (v) q[k] = v;
  }
  if (f.from) q.from = `${f.from}T00:00:00Z`;
  if (f.to) q.to = `${nextDay(f.to)}T00:00:00Z`;
  return q;
}

/** Values seen so far for a filter (suggestions for its input), sorted, each once. */
export function choices<T extends AuditRow>(items: readonly T[], key: 'actor' | 'action' | 'entity', known: readonly string[] = []): string[] {
  return [...new Set([...known, ...items.map((e) => e[key])])].sort();
}

/** True when some filter is set. */
export function filtering(f: AuditFilter): boolean {
  return Object.values(f).some((v) => v !== '');
}
