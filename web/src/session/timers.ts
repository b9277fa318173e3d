// The countdowns of a session's timed steps (anaesthetic contact, rolling): the durations come from the
// protocol the API returns (`duration_min`, [min, max] minutes), never from constants here. The instant a
// timer was started is kept in localStorage under the session and the step, so a reload — or another tab —
// finds the same countdown; what is left is always computed from Date.now(), so nothing drifts while the
// page is closed and a test's clock control moves it.

/** The part of Storage the timers use (localStorage in the app, a Map in the unit tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Where the start instant of a step's timer is kept: one key per session and step. */
export function timerKey(sessionId: string | number, step: string): string {
  return `needlework.timer.${sessionId}.${step}`;
}

/** The stored start (ms since the epoch), or null when the timer was never started or the value is not one. */
export function storedStart(store: KeyValue, sessionId: string | number, step: string): number | null {
  const text = store.getItem(timerKey(sessionId, step));
  if (text === null || !/^\d+$/.test(text)) return null;
  const ms = Number(text);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Starts a step's timer at `nowMs`; a timer already running keeps its first start (a double tap restarts nothing). */
export function startTimer(store: KeyValue, sessionId: string | number, step: string, nowMs: number): number {
  const existing = storedStart(store, sessionId, step);
  if (existing !== null) return existing;
  store.setItem(timerKey(sessionId, step), String(Math.floor(nowMs)));
  return Math.floor(nowMs);
}

/** Forgets a step's timer (the practitioner restarts it, e.g. the anaesthetic was wiped off and reapplied). */
export function resetTimer(store: KeyValue, sessionId: string | number, step: string): void {
  store.removeItem(timerKey(sessionId, step));
}

export type TimerPhase = 'not_started' | 'running' | 'ready' | 'over';

export interface Countdown {
  phase: TimerPhase;
  /** Time since the start (0 before it). */
  elapsedMs: number;
  /** Time left until the shortest duration is reached (0 once it is). */
  toMinMs: number;
  /** Time left until the longest duration is reached (0 once it is). */
  toMaxMs: number;
}

/**
 * The countdown of a step timed [min, max] minutes, started at `startMs` (null: not started), at `nowMs`:
 * running until min, ready between min and max, over after max. A clock set back before the start counts as
 * no time elapsed rather than a negative one.
 */
export function countdown(startMs: number | null, nowMs: number, rangeMin: readonly number[]): Countdown {
  const min = (rangeMin[0] ?? 0) * 60_000;
  const max = (rangeMin[1] ?? rangeMin[0] ?? 0) * 60_000;
  if (startMs === null) return { phase: 'not_started', elapsedMs: 0, toMinMs: min, toMaxMs: max };
  const elapsedMs = Math.max(0, nowMs - startMs);
  const toMinMs = Math.max(0, min - elapsedMs);
  const toMaxMs = Math.max(0, max - elapsedMs);
  const phase: TimerPhase = elapsedMs < min ? 'running' : elapsedMs <= max ? 'ready' : 'over';
  return { phase, elapsedMs, toMinMs, toMaxMs };
}

/** A duration as minutes and seconds ("14:05"), rounded up to the second so a countdown shows 0:00 only at 0. */
export function minutesSeconds(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** "15–20 min" or "5 min" from a protocol's [min, max]. */
export function rangeText(rangeMin: readonly number[]): string {
  const [a, b] = rangeMin;
  if (a === undefined) return '';
  return b === undefined || b === a ? `${a} min` : `${a}–${b} min`;
}
