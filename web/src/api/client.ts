// The typed API client: openapi-fetch over the types generated from `needlework openapi` (schema.d.ts), with
// the CSRF header on every write (docs/server.md: a cookie write without X-CSRF-Token is refused), and one
// `call` that turns any answer into `{ ok: true, data }` or `{ ok: false, problem }`.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { networkProblem, problemFrom, type Problem } from './problem';

export type Schemas = components['schemas'];

/** The value of a cookie readable by the page (`nw_csrf` is; `nw_session` is HttpOnly). */
export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The CSRF cookie of the session a request goes with: the portal's for its routes (docs/portal.md), the
 * staff login's for the rest. */
export function csrfCookieFor(url: string): string {
  return new URL(url, 'http://x').pathname.startsWith('/api/v1/portal/') ? 'nw_portal_csrf' : 'nw_csrf';
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = readCookie(csrfCookieFor(request.url));
      if (token) request.headers.set('X-CSRF-Token', token);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };

type Listener = (p: Problem) => void;
const listeners = new Set<Listener>();
/** Hears every failed call (the shell uses it: 401 → log in again, password_change_required → change form). */
export function onProblem(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Awaits an openapi-fetch call and returns its data or the problem, never throwing. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Outcome<T>> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await request;
  } catch {
    const problem = networkProblem();
    listeners.forEach((l) => l(problem));
    return { ok: false, problem };
  }
  if (r.response.ok) return { ok: true, data: r.data as T };
  const problem = problemFrom(r.response.status, r.error);
  listeners.forEach((l) => l(problem));
  return { ok: false, problem };
}
