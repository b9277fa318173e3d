// The Rollers pages' own logic, kept apart from the components so it is unit-tested
// (tests/unit/roller-logic.test.ts): what a barcode scanner typed into the scan field, and how a roller's state
// reads on the inventory. The rules about rollers (one client, single use, expiry) are the server's: these only
// describe what the record says.

/** What a scanned label gave: any of lot, serial, UDI (the GS1 GTIN) and expiry (YYYY-MM-DD). */
export interface Scan {
  lot?: string;
  serial?: string;
  udi?: string;
  expiry?: string;
}

/** ASCII group separator: a GS1-128 / DataMatrix scanner sends it for FNC1 after a variable-length field. */
const GS = '\u001d';

/** GS1 YYMMDD (day 00 = the month's last day) as an ISO date; null when it is not a date. */
export function gs1Date(yymmdd: string): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  let dayOfMonth = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (dayOfMonth === 0) dayOfMonth = last;
  if (dayOfMonth > last) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

/**
 * Reads what a barcode scanner typed. GS1 labels (the usual on needle cartridges and rollers) come either in
 * the human-readable form `(01)05012345678900(17)271231(10)L-2026-11(21)0042` or raw, application identifiers
 * run together with a group separator after a variable-length field (`01050123456789001727123110L-2026-11␝210042`),
 * optionally behind a symbology prefix (`]C1`, `]d2`). Anything else is the lot, as typed. Empty → null.
 */
export function parseScan(raw: string): Scan | null {
  let text = raw.replace(/[\r\n]+$/, '').trim();
  if (text === '') return null;
  text = text.replace(/^\][A-Za-z]\d/, '');
  const out: Scan = {};
  const put = (ai: string, value: string): boolean => {
    if (ai === '01') out.udi = value;
    else if (ai === '10') out.lot = value;
    else if (ai === '21') out.serial = value;
    else if (ai === '17') {
      const d = gs1Date(value);
      if (!d) return false;
      out.expiry = d;
    } else return false;
    return true;
  };
  if (text.startsWith('(')) {
    const re = /\((\d{2})\)([^(]*)/g;
    let m: RegExpExecArray | null;
    let seen = 0;
    while ((m = re.exec(text))) {
      if (!put(m[1] ?? '', (m[2] ?? '').trim())) return { lot: text };
      seen += m[0].length;
    }
    return seen === text.length ? out : { lot: text };
  }
  if (/^(01\d{14}|17\d{6}|10|21)/.test(text) && (text.includes(GS) || /^01\d{14}/.test(text))) {
    let rest = text;
    while (rest.length > 0) {
      const ai = rest.slice(0, 2);
      rest = rest.slice(2);
      let value: string;
      if (ai === '01' || ai === '17') {
        const n = ai === '01' ? 14 : 6;
        value = rest.slice(0, n);
        if (value.length !== n || !/^\d+$/.test(value)) return { lot: text };
        rest = rest.slice(n);
        if (rest.startsWith(GS)) rest = rest.slice(1);
      } else {
        const end = rest.indexOf(GS);
        value = end < 0 ? rest : rest.slice(0, end);
        rest = end < 0 ? '' : rest.slice(end + 1);
      }
      if (!put(ai, value)) return { lot: text };
    }
    return out;
  }
  return { lot: text };
}

export type RollerShown = 'new' | 'assigned' | 'used' | 'disposed' | 'expired';

/** How the inventory shows a roller on `today` (YYYY-MM-DD): an expired one that is not disposed says so. */
export function rollerShown(r: { state: string; expiry: string }, today: string): RollerShown {
  if (r.state === 'disposed') return 'disposed';
  if (r.expiry < today) return 'expired';
  return r.state === 'assigned' || r.state === 'used' ? r.state : 'new';
}

export const shownLabel: Record<RollerShown, string> = {
  new: 'New (not assigned)',
  assigned: 'Assigned',
  used: 'Used',
  disposed: 'Disposed',
  expired: 'Expired — dispose of it',
};

/** The rollers of a recalled lot that are still in use: the ones a recall should take out. */
export function toWithdraw<T extends { state: string }>(rollers: readonly T[]): T[] {
  return rollers.filter((r) => r.state !== 'disposed');
}

/** Today as YYYY-MM-DD in UTC (the server's dates are UTC). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
