import { describe, expect, it } from 'vitest';
import { countdown, minutesSeconds, rangeText, resetTimer, startTimer, storedStart, timerKey, type KeyValue } from '../../src/session/timers';

class MemoryStore implements KeyValue {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const min = 60_000;

describe('timer storage', () => {
  it('keys a start by session and step, so two sessions or steps never share one', () => {
    expect(timerKey(7, 'STEP.roll')).not.toBe(timerKey(8, 'STEP.roll'));
    expect(timerKey(7, 'STEP.roll')).not.toBe(timerKey(7, 'STEP.anaesthetic_wait'));
  });

  it('finds the start again after a reload (a new read of the same storage)', () => {
    const store = new MemoryStore();
    startTimer(store, '3', 'STEP.anaesthetic_wait', t0);
    // A reload: nothing of the page survives but the storage.
    expect(storedStart(store, '3', 'STEP.anaesthetic_wait')).toBe(t0);
    expect(countdown(storedStart(store, '3', 'STEP.anaesthetic_wait'), t0 + 4 * min, [15, 20]).toMinMs).toBe(11 * min);
  });

  it('keeps the first start when started again, and forgets it on reset', () => {
    const store = new MemoryStore();
    startTimer(store, 1, 'STEP.roll', t0);
    expect(startTimer(store, 1, 'STEP.roll', t0 + 3 * min)).toBe(t0);
    resetTimer(store, 1, 'STEP.roll');
    expect(storedStart(store, 1, 'STEP.roll')).toBeNull();
  });

  it('reads a damaged value as no start rather than a wrong countdown', () => {
    const store = new MemoryStore();
    store.setItem(timerKey(1, 'STEP.roll'), 'yesterday');
    expect(storedStart(store, 1, 'STEP.roll')).toBeNull();
  });
});

describe('countdown', () => {
  it('is not started without a start', () => {
    expect(countdown(null, t0, [15, 20])).toEqual({ phase: 'not_started', elapsedMs: 0, toMinMs: 15 * min, toMaxMs: 20 * min });
  });

  it('runs until the shortest duration, is ready until the longest, then over', () => {
    expect(countdown(t0, t0 + 14 * min + 59_000, [15, 20]).phase).toBe('running');
    expect(countdown(t0, t0 + 15 * min, [15, 20]).phase).toBe('ready');
    expect(countdown(t0, t0 + 20 * min, [15, 20]).phase).toBe('ready');
    expect(countdown(t0, t0 + 20 * min + 1, [15, 20]).phase).toBe('over');
  });

  it('takes its durations from the protocol, not from the step', () => {
    expect(countdown(t0, t0 + 6 * min, [5, 10]).phase).toBe('ready');
    expect(countdown(t0, t0 + 6 * min, [15, 20]).phase).toBe('running');
  });

  it('counts a clock set back before the start as no time elapsed', () => {
    const c = countdown(t0, t0 - 5 * min, [5, 10]);
    expect(c.elapsedMs).toBe(0);
    expect(c.toMinMs).toBe(5 * min);
  });

  it('writes minutes and seconds, rounding up so 0:00 means done', () => {
    expect(minutesSeconds(15 * min)).toBe('15:00');
    expect(minutesSeconds(61_001)).toBe('1:02');
    expect(minutesSeconds(0)).toBe('0:00');
    expect(rangeText([15, 20])).toBe('15–20 min');
    expect(rangeText([5, 5])).toBe('5 min');
  });
});

describe('the roller field', () => {
  it('takes the id at the end of what a scanner typed, and refuses text without one', async () => {
    const { rollerIdOf } = await import('../../src/session/roller-input');
    expect(rollerIdOf('17')).toBe(17);
    expect(rollerIdOf('R17')).toBe(17);
    expect(rollerIdOf(' ROLLER 0042 ')).toBe(42);
    expect(rollerIdOf('roller')).toBeNull();
    expect(rollerIdOf('R0')).toBeNull();
  });
});
