import { describe, expect, it } from 'vitest';
import { failedMessages, recallsToAct } from '../../src/pages/today-logic';

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

describe('failed messages', () => {
  const msg = (id: number, created_at: string, extra: Partial<{ recipient: string; last_error: string; attempts: number }> = {}) => ({
    id,
    subject: `Message ${id}`,
    created_at,
    ...extra,
  });
  it('lists the newest failure first, with its recipient and the relay\'s answer on one line', () => {
    const out = failedMessages([
      msg(1, '2026-11-24T10:00:00Z', { recipient: 'a@example.org', last_error: '550 5.1.1 <a@example.org>:\r\n user unknown', attempts: 1 }),
      msg(2, '2026-11-25T10:00:00Z', { recipient: 'b@example.org', last_error: '451 try later', attempts: 8 }),
    ]);
    expect(out.map((x) => x.message.id)).toEqual([2, 1]);
    expect(out[1]).toMatchObject({ to: 'a@example.org', answer: '550 5.1.1 <a@example.org>: user unknown', attempts: 1 });
    expect(out[0]).toMatchObject({ to: 'b@example.org', answer: '451 try later', attempts: 8 });
  });
  it('says so when there is no address or no answer', () => {
    const [only] = failedMessages([msg(3, '2026-11-24T10:00:00Z')]);
    expect(only).toMatchObject({ to: '(no address)', answer: 'no answer recorded', attempts: 0 });
  });
});
