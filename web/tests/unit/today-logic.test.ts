import { describe, expect, it } from 'vitest';
import { recallsToAct } from '../../src/pages/today-logic';

const roller = (id: number, lot: string, state: string, expiry = '2027-06-01') => ({ id, lot, state, expiry });

describe('recalls to act on', () => {
  const recalls = [
    { lot: 'L-OLD', recalled_at: '2026-10-01T09:00:00Z' },
    { lot: 'L-NEW', recalled_at: '2026-12-01T09:00:00Z' },
    { lot: 'L-DONE', recalled_at: '2026-11-01T09:00:00Z' },
    { lot: 'L-NONE', recalled_at: '2026-11-15T09:00:00Z' },
  ];
  const rollers = [
    roller(1, 'L-OLD', 'assigned'),
    roller(2, 'L-NEW', 'used'),
    roller(3, 'L-NEW', 'disposed'),
    roller(4, 'L-NEW', 'in_stock'),
    roller(5, 'L-DONE', 'disposed'),
    roller(6, 'L-OTHER', 'assigned'),
  ];
  it('names each recalled lot with the rollers not yet disposed of, newest recall first', () => {
    const out = recallsToAct(recalls, rollers);
    expect(out.map((x) => [x.recall.lot, x.inStock.map((r) => r.id)])).toEqual([
      ['L-NEW', [2, 4]],
      ['L-OLD', [1]],
    ]);
  });
  it('leaves out a recall whose rollers are all disposed of, or that has none', () => {
    const lots = recallsToAct(recalls, rollers).map((x) => x.recall.lot);
    expect(lots).not.toContain('L-DONE');
    expect(lots).not.toContain('L-NONE');
  });
});
