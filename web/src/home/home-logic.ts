// Home maintenance's own logic, kept apart from the components so it is unit-tested
// (tests/unit/home-logic.test.ts): where the requests go under an API base path (the staff app's
// `/api/v1/clients/{id}`, or the client portal's own), what the log form sends, and how a home roller's life
// reads. The rules (the pack's interval, a retired roller, a recalled lot) are the server's: a refusal comes back
// naming the date field and is shown there with its rule (forms/form-state.ts).
import { call, csrfCookieFor, readCookie, type Outcome } from '../api/client';

/** The log form's fields, named as the API names them so a refusal lands on its field. */
export type HomeSessionField = 'home_roller_id' | 'area' | 'performed_on' | 'note';

/** A home roller as the API gives it (HomeRoller): the record and its life so far. */
export interface HomeRollerLife {
  id: number;
  device: string;
  lot: string;
  registered_on: string;
  retired_at: string | null;
  retired_reason: string;
  days_in_use: number;
  uses: number;
  last_used: string | null;
}

/** A logged home session (HomeSession). */
export interface HomeSession {
  id: number;
  home_roller_id: number;
  area: string;
  performed_on: string;
  logged_at: string;
  logged_by: string;
  note: string;
}

/** `base` without a trailing slash, then `/home-rollers` or `/home-sessions`. */
export function homeUrl(base: string, what: 'home-rollers' | 'home-sessions'): string {
  return `${base.replace(/\/+$/, '')}/${what}`;
}

/** The body of a log request from the form's values: the roller as a number, the note only when given. */
export function homeSessionBody(values: Record<HomeSessionField, string>): {
  home_roller_id: number;
  area: string;
  performed_on: string;
  note?: string;
} {
  const body: { home_roller_id: number; area: string; performed_on: string; note?: string } = {
    home_roller_id: Number(values.home_roller_id),
    area: values.area,
    performed_on: values.performed_on,
  };
  const note = values.note.trim();
  if (note !== '') body.note = note;
  return body;
}

/** The rollers a session may be logged with: those not retired, newest first. */
export function usableRollers(rollers: readonly HomeRollerLife[]): HomeRollerLife[] {
  return rollers.filter((r) => r.retired_at === null).sort((a, b) => b.id - a.id);
}

/** The devices of the pack a client uses at home (setting "home"), for the register form. */
export function homeDevices(
  devices: readonly { id: string; label: string; setting: string }[],
): { id: string; label: string }[] {
  return devices.filter((d) => d.setting === 'home').map((d) => ({ id: d.id, label: d.label }));
}

/** The label a list of the pack's choices gives an id; the id itself when the list does not hold it. */
export function labelOf(choices: readonly { id: string; label: string }[], id: string): string {
  return choices.find((c) => c.id === id)?.label ?? id;
}

/** Who logged a home session, for a reader: a portal login (`client:<id>`) is the client themself. */
export function loggedBy(name: string, viewer: 'staff' | 'client'): string {
  if (!name.startsWith('client:')) return name;
  return viewer === 'client' ? 'you' : 'the client';
}

/** One line for a roller's life: lot, since when, days in use, uses, last use or retirement. */
export function rollerLife(r: HomeRollerLife): string {
  const days = `${r.days_in_use} day${r.days_in_use === 1 ? '' : 's'} in use`;
  const uses = `${r.uses} use${r.uses === 1 ? '' : 's'}`;
  const last = r.last_used ? `, last ${r.last_used}` : '';
  const retired = r.retired_at ? ` — retired ${r.retired_at.slice(0, 10)} (${r.retired_reason})` : '';
  return `Lot ${r.lot}, since ${r.registered_on}: ${days}, ${uses}${last}${retired}`;
}

/** A JSON request to a path only known at run time (the base path is a prop), answered as `call` answers the
 * typed client's (so the shell hears a 401 as for any call); the CSRF header on a write from the session the
 * path belongs to (staff or portal), as api/client.ts sends it. */
export function requestJson<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Outcome<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    const token = readCookie(csrfCookieFor(url));
    if (token) headers['X-CSRF-Token'] = token;
  }
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = JSON.stringify(body);
  return call<T>(
    fetch(url, init).then(async (response) => {
      let parsed: unknown = undefined;
      try {
        parsed = await response.json();
      } catch {
        parsed = undefined;
      }
      return response.ok ? { data: parsed as T, response } : { error: parsed, response };
    }),
  );
}
