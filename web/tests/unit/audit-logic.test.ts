import { describe, expect, it } from 'vitest';
import { choices, filterAudit, filtering, noFilter, type AuditRow } from '../../src/admin/audit-logic';

const row = (seq: number, actor: string, action: string, entity: string, entity_id: string, at: string): AuditRow => ({
  seq,
  actor,
  action,
  entity,
  entity_id,
  at,
});
const log = [
  row(1, 'admin', 'insert', 'clients', 'C-1', '2026-12-01T09:00:00Z'),
  row(2, 'pia', 'insert', 'rollers', '4', '2026-12-02T09:00:00Z'),
  row(3, 'pia', 'update', 'rollers', '4', '2026-12-03T09:00:00Z'),
  row(4, 'admin', 'update', 'clients', 'C-12', '2026-12-04T09:00:00Z'),
];

describe('audit filters', () => {
  it('keeps what every set filter matches', () => {
    expect(filterAudit(log, noFilter)).toHaveLength(4);
    expect(filterAudit(log, { ...noFilter, actor: 'pia', action: 'update' }).map((e) => e.seq)).toEqual([3]);
    expect(filterAudit(log, { ...noFilter, entityId: 'c-1' }).map((e) => e.seq)).toEqual([1, 4]);
    expect(filterAudit(log, { ...noFilter, from: '2026-12-02', to: '2026-12-03' }).map((e) => e.seq)).toEqual([2, 3]);
  });
  it('offers the loaded values, sorted, and knows when a filter is set', () => {
    expect(choices(log, 'entity')).toEqual(['clients', 'rollers']);
    expect(filtering(noFilter)).toBe(false);
    expect(filtering({ ...noFilter, to: '2026-12-03' })).toBe(true);
  });
});
