// The Audit page's own logic (tests/unit/audit-logic.test.ts): the pages of the log loaded so far through the
// API's cursor (GET /api/v1/audit pages by `seq`: docs/server.md), and the filters applied to what is loaded.

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
}

/** The log as loaded: every entry so far, the cursor of the next page (null when the last page is in). */
export interface Paging<T> {
  items: T[];
  cursor: string | null;
  /** True once a page came back: before that, `cursor` null does not mean the end. */
  started: boolean;
}

export function emptyPaging<T>(): Paging<T> {
  return { items: [], cursor: null, started: false };
}

/** A page appended; an entry already held (same seq, a page asked twice) is not repeated. */
export function appendPage<T extends { seq: number }>(
  s: Paging<T>,
  page: { items: readonly T[]; next_cursor?: string | null },
): Paging<T> {
  const seen = new Set(s.items.map((e) => e.seq));
  return {
    items: [...s.items, ...page.items.filter((e) => !seen.has(e.seq))],
    cursor: page.next_cursor ?? null,
    started: true,
  };
}

/** Whether another page can be asked for. */
export function hasMore<T>(s: Paging<T>): boolean {
  return !s.started || s.cursor !== null;
}

export interface AuditFilter {
  actor: string;
  action: string;
  entity: string;
  /** Text in the record's id (a client id, a roller id…). */
  entityId: string;
  /** YYYY-MM-DD, inclusive; empty for no bound. */
  from: string;
  to: string;
}

export const noFilter: AuditFilter = { actor: '', action: '', entity: '', entityId: '', from: '', to: '' };

/** The loaded entries the filter keeps (exact actor, action and table; the id by its text; dates by UTC day). */
export function filterAudit<T extends AuditRow>(items: readonly T[], f: AuditFilter): T[] {
  const idText = f.entityId.trim().toLowerCase();
  return items.filter(
    (e) =>
      (!f.actor || e.actor === f.actor) &&
      (!f.action || e.action === f.action) &&
      (!f.entity || e.entity === f.entity) &&
      (!idText || e.entity_id.toLowerCase().includes(idText)) &&
      (!f.from || e.at.slice(0, 10) >= f.from) &&
      (!f.to || e.at.slice(0, 10) <= f.to),
  );
}

/** The values a filter can choose from among the loaded entries, sorted. */
export function choices<T extends AuditRow>(items: readonly T[], key: 'actor' | 'action' | 'entity'): string[] {
  return [...new Set(items.map((e) => e[key]))].sort();
}

/** True when some filter is set. */
export function filtering(f: AuditFilter): boolean {
  return Object.values(f).some((v) => v !== '');
}
