// The month calendar of a course: the weeks of each month the visits fall in, Monday first, each day with the
// visits on it. Dates are the API's calendar days ("YYYY-MM-DD"), handled as UTC days so no time zone moves a
// visit to the day before.

export interface CalendarVisit {
  date: string;
  areas: readonly string[];
  review?: boolean;
}

export interface Day {
  /** "YYYY-MM-DD". */
  date: string;
  /** Day of the month. */
  day: number;
  /** False for the days of the neighbouring months that fill the first and last week. */
  inMonth: boolean;
  visits: CalendarVisit[];
}

export interface Month {
  /** "YYYY-MM". */
  key: string;
  year: number;
  /** 1–12. */
  month: number;
  weeks: Day[][];
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The UTC day a "YYYY-MM-DD" names, or null when it names none (2026-02-30). */
export function parseDay(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return iso(d) === text ? d : null;
}

/** The weeks (Monday to Sunday) covering one month, with the visits on each day. */
export function monthGrid(year: number, month: number, visits: readonly CalendarVisit[] = []): Month {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const mondayOffset = (first.getUTCDay() + 6) % 7; // days since the Monday of the first week
  const cursor = new Date(first.getTime() - mondayOffset * 86_400_000);
  const byDate = new Map<string, CalendarVisit[]>();
  for (const v of visits) byDate.set(v.date, [...(byDate.get(v.date) ?? []), v]);
  const weeks: Day[][] = [];
  do {
    const week: Day[] = [];
    for (let i = 0; i < 7; i++) {
      const date = iso(cursor);
      week.push({
        date,
        day: cursor.getUTCDate(),
        inMonth: cursor.getUTCMonth() === month - 1,
        visits: byDate.get(date) ?? [],
      });
      cursor.setUTCDate(cursor.getUTCDate() + 1);
    }
    weeks.push(week);
  } while (cursor.getUTCMonth() === month - 1);
  return { key: `${year}-${String(month).padStart(2, '0')}`, year, month, weeks };
}

/** Every month from the earliest to the latest visit (a month with no visit in between included). */
export function monthsOf(visits: readonly CalendarVisit[]): Month[] {
  const days = visits.map((v) => parseDay(v.date)).filter((d): d is Date => d !== null);
  if (days.length === 0) return [];
  const times = days.map((d) => d.getTime());
  const lo = new Date(Math.min(...times));
  const hi = new Date(Math.max(...times));
  const out: Month[] = [];
  let y = lo.getUTCFullYear();
  let m = lo.getUTCMonth() + 1;
  while (y < hi.getUTCFullYear() || (y === hi.getUTCFullYear() && m <= hi.getUTCMonth() + 1)) {
    out.push(monthGrid(y, m, visits));
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** A local date and time of day ("2026-12-08", "10:30") as the API's UTC instant, "YYYY-MM-DDTHH:MM:SSZ". */
export function utcInstant(date: string, time: string): string | null {
  if (!parseDay(date) || !/^\d{2}:\d{2}$/.test(time)) return null;
  const d = new Date(`${date}T${time}:00`);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
