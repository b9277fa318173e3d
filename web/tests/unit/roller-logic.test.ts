import { describe, expect, it } from 'vitest';
import { gs1Date, parseScan, rollerShown, toWithdraw } from '../../src/rollers/roller-logic';

describe('parseScan', () => {
  it('reads the human-readable GS1 form', () => {
    expect(parseScan('(01)05012345678900(17)271231(10)L-2026-11(21)0042')).toEqual({
      udi: '05012345678900',
      expiry: '2027-12-31',
      lot: 'L-2026-11',
      serial: '0042',
    });
  });
  it('reads the raw form with group separators and a symbology prefix', () => {
    expect(parseScan(']d2010501234567890017270600' + '10L-7\u001d' + '21S9\n')).toEqual({
      udi: '05012345678900',
      expiry: '2027-06-30',
      lot: 'L-7',
      serial: 'S9',
    });
  });
  it('takes plain text as the lot, and nothing as nothing', () => {
    expect(parseScan('  L-2026-11 \r\n')).toEqual({ lot: 'L-2026-11' });
    expect(parseScan('   ')).toBeNull();
  });
  it('keeps a label with an unknown identifier or a bad date whole, as the lot', () => {
    expect(parseScan('(01)05012345678900(99)X')).toEqual({ lot: '(01)05012345678900(99)X' });
    expect(parseScan('(17)271340(10)L')).toEqual({ lot: '(17)271340(10)L' });
  });
  it('turns GS1 dates into ISO dates, day 00 being the month’s last', () => {
    expect(gs1Date('280200')).toBe('2028-02-29');
    expect(gs1Date('270231')).toBeNull();
    expect(gs1Date('2702')).toBeNull();
  });
});

describe('rollerShown', () => {
  it('says expired for an undisposed roller past its date, whatever its state', () => {
    expect(rollerShown({ state: 'assigned', expiry: '2026-01-01' }, '2026-01-02')).toBe('expired');
    expect(rollerShown({ state: 'assigned', expiry: '2026-01-02' }, '2026-01-02')).toBe('assigned');
    expect(rollerShown({ state: 'disposed', expiry: '2020-01-01' }, '2026-01-02')).toBe('disposed');
    expect(rollerShown({ state: 'new', expiry: '2030-01-01' }, '2026-01-02')).toBe('new');
  });
  it('withdraws only the rollers of a lot that are not disposed', () => {
    const lot = [
      { id: 1, state: 'disposed' },
      { id: 2, state: 'assigned' },
      { id: 3, state: 'new' },
    ];
    expect(toWithdraw(lot).map((r) => r.id)).toEqual([2, 3]);
  });
});
