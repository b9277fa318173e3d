// The Audit page's own logic (tests/unit/audit-logic.test.ts): the filters applied to the entries loaded so far
// (the pages come through the API's cursor by `seq`, api/paging.ts).

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
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
