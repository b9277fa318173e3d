import { describe, expect, it } from 'vitest';
import { day, localiseTimes, timeOfDay, when } from '../../src/api/time';

// A fixed locale and zone, so the test reads the same on any machine: Berlin is UTC+1 in December.
const berlin = { locale: 'en-GB', timeZone: 'Europe/Berlin' };

describe('times for a person', () => {
  it('shows a UTC instant in the clinic zone and locale', () => {
    expect(when('2026-12-08T02:33:49Z', berlin)).toBe('8 Dec 2026, 03:33');
    expect(timeOfDay('2026-12-08T23:05:00Z', berlin)).toBe('00:05');
    expect(when('2026-12-08T02:33:49Z', { locale: 'en-US', timeZone: 'America/New_York' })).toBe('Dec 7, 2026, 9:33 PM');
  });
  it('gives nothing for no time and the text itself for what is no time', () => {
    expect(when(null, berlin)).toBe('');
    expect(when('', berlin)).toBe('');
    expect(when('soon', berlin)).toBe('soon');
    expect(day('2026-13-45', berlin)).toBe('2026-13-45');
    expect(day('2026-12-15', berlin)).toBe('15 Dec 2026');
  });
  it('rewrites every UTC instant a server sentence quotes, and nothing else', () => {
    expect(localiseTimes('for 24 h after the session, until 2026-12-08T02:33:49Z', berlin)).toBe(
      'for 24 h after the session, until 8 Dec 2026, 03:33',
    );
    expect(localiseTimes('from 2026-12-07T10:00:00Z to 2026-12-07T11:30:00Z', berlin)).toBe(
      'from 7 Dec 2026, 11:00 to 7 Dec 2026, 12:30',
    );
    // A day is a calendar day: no zone moves it.
    expect(localiseTimes('so until about 2026-12-15', { locale: 'en-GB', timeZone: 'Pacific/Kiritimati' })).toBe(
      'so until about 15 Dec 2026',
    );
    expect(localiseTimes('rule H-2 (S11), 3–5 days', berlin)).toBe('rule H-2 (S11), 3–5 days');
  });
});
