// The menu: each page with the routes it needs. An entry is shown to a role only when the server's route
// table (x-roles of the OpenAPI document, generated into route-roles.gen.ts) lets that role call every route
// the page needs; a refusal that still comes (403) is shown by the page as the server words it.

export type Role = 'admin' | 'practitioner' | 'reception' | 'auditor';

export interface MenuEntry {
  href: string;
  label: string;
  /** "METHOD /path" of each route the page cannot work without. */
  needs: readonly string[];
}

export const menuEntries: readonly MenuEntry[] = [
  { href: '/', label: 'Today', needs: ['GET /api/v1/due', 'GET /api/v1/appointments'] },
  { href: '/clients', label: 'Clients', needs: ['GET /api/v1/clients', 'GET /api/v1/clients/{id}/history'] },
  // Inventory and admin pages.
  { href: '/rollers', label: 'Rollers', needs: ['GET /api/v1/rollers', 'GET /api/v1/recalls/{lot}'] },
  { href: '/simulator', label: 'Simulator', needs: ['GET /api/v1/devices', 'POST /api/v1/simulate'] },
  { href: '/audit', label: 'Audit', needs: ['GET /api/v1/audit', 'GET /api/v1/audit/verify'] },
  { href: '/users', label: 'Users', needs: ['GET /api/v1/users', 'GET /api/v1/api-keys'] },
];

/** True when `role` may call `route` ("GET /api/v1/due") by the table; false for a route it does not hold. */
export function mayCall(table: Readonly<Record<string, readonly string[]>>, role: Role, route: string): boolean {
  return table[route]?.includes(role) ?? false;
}

/** The entries `role` sees. */
export function menuFor(
  table: Readonly<Record<string, readonly string[]>>,
  role: Role,
  entries: readonly MenuEntry[] = menuEntries,
): MenuEntry[] {
  return entries.filter((e) => e.needs.every((r) => mayCall(table, role, r)));
}
