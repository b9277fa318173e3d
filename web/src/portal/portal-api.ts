// What the portal pages share: who is signed in (GET /api/v1/portal/me) and the portal's paths. The portal has
// its own session (cookies nw_portal, nw_portal_csrf; docs/portal.md): the staff app's shell and menu are not
// used here, and a client never sees a staff page.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Schemas } from '../api/client';

export type PortalMe = Schemas['PortalMe'];

export const PortalMeContext = createContext<PortalMe | null>(null);

export function usePortalMe(): PortalMe {
  const me = useContext(PortalMeContext);
  if (!me) throw new Error('usePortalMe outside the portal shell');
  return me;
}

/** The token of a sign-in link, from the page's address fragment (`/portal/sign-in#token=…`): the fragment is
 * never sent to a server, so the link's secret stays out of logs. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token');
  return token && token.trim() !== '' ? token.trim() : null;
}

/** Whole hours between two UTC times (for "30 hours after your session"). */
export function hoursBetween(fromUtc: string, toUtc: string): number {
  return Math.floor((new Date(toUtc).getTime() - new Date(fromUtc).getTime()) / 3_600_000);
}

/** A datetime-local field's value (the device's zone) as the API's UTC time "YYYY-MM-DDTHH:MM:SSZ"; null for
 * an empty or unreadable one (the server then takes now). */
export function toUtc(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
