import { describe, expect, it } from 'vitest';
import { auditQuery, choices, filtering, nextDay, noFilter, type AuditRow } from '../../src/admin/audit-logic';

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

describe('audit filters, sent to the server', () => {
  it('asks only for the filters set, trimmed, with the cursor', () => {
    expect(auditQuery(noFilter, null)).toEqual({ limit: 200 });
    expect(auditQuery({ ...noFilter, actor: ' pia ', table: 'rollers', record: '4' }, '17', 50)).toEqual({
      limit: 50,
      cursor: '17',
      actor: 'pia',
      table: 'rollers',
      record: '4',
    });
  });
  it('turns the days into UTC times: from the start of the first, to the start of the day after the last', () => {
    expect(auditQuery({ ...noFilter, from: '2026-12-02', to: '2026-12-31' }, null)).toEqual({
      limit: 200,
      from: '2026-12-02T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
    });
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('yesterday')).toBe('yesterday');
  });
  it('suggests the values seen, sorted, and knows when a filter is set', () => {
    expect(choices(log, 'entity', ['users'])).toEqual(['clients', 'rollers', 'users']);
    expect(filtering(noFilter)).toBe(false);
    expect(filtering({ ...noFilter, to: '2026-12-03' })).toBe(true);
  });
});
