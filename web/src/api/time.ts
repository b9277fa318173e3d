// The API's times for a person (tests/unit/time.test.ts). The server speaks UTC, "YYYY-MM-DDTHH:MM:SSZ"
// (docs/server.md); every page shows a time through these functions, in the clinic's locale and time zone —
// the tablet's own (Intl's defaults: the clinic's device is set to the clinic's zone), so one place decides
// how a time reads, on screen and in print.

/** A UTC instant or a day as the API writes them, inside any text (the server's sentences quote them too). */
const isoTimes = /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z)?\b/g;
const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Where and how times are shown: undefined = the tablet's locale and time zone. */
export interface Clock {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'dateTime' | 'time' | 'date', clock: Clock): Intl.DateTimeFormat {
  const key = `${kind}|${clock.locale ?? ''}|${clock.timeZone ?? ''}`;
  let f = cache.get(key);
  if (!f) {
    const style: Intl.DateTimeFormatOptions =
      kind === 'dateTime'
        ? { dateStyle: 'medium', timeStyle: 'short' }
        : kind === 'time'
          ? { hour: '2-digit', minute: '2-digit' }
          : { dateStyle: 'medium' };
    f = new Intl.DateTimeFormat(clock.locale, { ...style, ...(clock.timeZone ? { timeZone: clock.timeZone } : {}) });
    cache.set(key, f);
  }
  return f;
}

function instant(utc: string): Date | null {
  const d = new Date(utc);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A UTC instant as a date and time ("7 Dec 2026, 14:30"); '' for none, the text itself if it is no time. */
export function when(utc: string | null | undefined, clock: Clock = {}): string {
  if (!utc) return '';
  const d = instant(utc);
  return d ? formatter('dateTime', clock).format(d) : utc;
}

/** A UTC instant as the time of day ("14:30"). */
export function timeOfDay(utc: string, clock: Clock = {}): string {
  const d = instant(utc);
  return d ? formatter('time', clock).format(d) : utc;
}

/** A calendar day "YYYY-MM-DD" in the clinic's locale ("15 Dec 2026"): a day, not an instant, so no zone
 * moves it; the text itself if it is no day. */
export function day(date: string, clock: Clock = {}): string {
  const m = isoDay.exec(date);
  if (!m) return date;
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(y, mo - 1, da));
  // Date.UTC rolls 2026-13-45 over into 2027: such a text is no day.
  return d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== da ? date : formatter('date', { locale: clock.locale, timeZone: 'UTC' }).format(d);
}

/** A text with every UTC instant and day in it shown as `when` and `day` show them ("…, until
 * 2026-12-08T02:33:49Z" → "…, until 8 Dec 2026, 03:33"): the server's sentences (an aftercare phase's
 * `until_text`) quote them as the API writes them. */
export function localiseTimes(text: string, clock: Clock = {}): string {
  return text.replace(isoTimes, (iso) => (iso.length === 10 ? day(iso, clock) : when(iso, clock)));
}
