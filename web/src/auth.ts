// Who is logged in, as the shell needs it (from GET /api/v1/auth/me and the login answer).
import type { Role } from './menu';

export interface Me {
  id: number;
  name: string;
  role: Role;
}

export type AuthState =
  | { kind: 'loading' }
  | { kind: 'anonymous'; notice?: string }
  | { kind: 'must_change'; me: Me }
  | { kind: 'in'; me: Me };

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** The logged-in user, for the pages under the shell. */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the shell');
  return me;
}

/** How the shell tells a page the person logged out (the password page's "log out"). */
export const LogoutContext = createContext<() => void>(() => undefined);
