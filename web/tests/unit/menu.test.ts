import { describe, expect, it } from 'vitest';
import { mayCall, menuFor, type MenuEntry } from '../../src/menu';
import { rollersToWatch, daysUntil } from '../../src/pages/today-logic';

// A route table in the shape of the generated one (x-roles of the OpenAPI document).
const table = {
  'GET /api/v1/due': ['admin', 'practitioner', 'reception'],
  'GET /api/v1/appointments': ['admin', 'practitioner', 'reception'],
  'GET /api/v1/clients': ['admin', 'practitioner', 'reception', 'auditor'],
  'POST /api/v1/sessions/{id}/chart': ['admin', 'practitioner'],
};
const entries: MenuEntry[] = [
  { href: '/', label: 'Today', needs: ['GET /api/v1/due', 'GET /api/v1/appointments'] },
  { href: '/clients', label: 'Clients', needs: ['GET /api/v1/clients'] },
  { href: '/chart', label: 'Charting', needs: ['POST /api/v1/sessions/{id}/chart'] },
  { href: '/ghost', label: 'Ghost', needs: ['GET /api/v1/nowhere'] },
];

describe('menuFor', () => {
  it('shows reception no charting', () => {
    expect(menuFor(table, 'reception', entries).map((e) => e.label)).toEqual(['Today', 'Clients']);
  });
  it('shows a practitioner charting', () => {
    expect(menuFor(table, 'practitioner', entries).map((e) => e.label)).toEqual(['Today', 'Clients', 'Charting']);
  });
  it('needs every route of an entry: the auditor reads clients but has no due list', () => {
    expect(menuFor(table, 'auditor', entries).map((e) => e.label)).toEqual(['Clients']);
  });
  it('hides an entry whose route the table does not hold', () => {
    expect(mayCall(table, 'admin', 'GET /api/v1/nowhere')).toBe(false);
  });
});

describe('rollersToWatch', () => {
  const r = (id: number, expiry: string, state = 'new') => ({ id, expiry, state });
  it('lists expired and soon-expiring rollers, soonest first, without disposed ones', () => {
    const out = rollersToWatch([r(1, '2027-06-01'), r(2, '2026-12-20'), r(3, '2026-11-01'), r(4, '2026-11-01', 'disposed')], '2026-12-07');
    expect(out.map((x) => [x.roller.id, x.days])).toEqual([
      [3, -36],
      [2, 13],
    ]);
  });
  it('counts days across a month end', () => {
    expect(daysUntil('2027-01-01', '2026-12-31')).toBe(1);
  });
});
