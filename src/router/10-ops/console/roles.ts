/**
 * The console's roles (docs/console.md): each may do what the one before it may, and more.
 * viewer: search, stories without bodies, quarantine list, overdue acks, routes, dashboard;
 * operator: also bodies, care-plan lookup, quarantine replay and purge; admin: also the audit log
 * and users. `open` marks the few routes anyone may call (health, metrics, sign-in).
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** What a route needs: a role, or nothing (`open`). */
export type Access = Role | 'open';

export const isRole = (s: unknown): s is Role =>
  typeof s === 'string' && (ROLES as readonly string[]).includes(s);

/** Whether a user of `role` may call a route that needs `needed`. */
export const allows = (role: Role, needed: Access): boolean =>
  needed === 'open' || ROLES.indexOf(role) >= ROLES.indexOf(needed);
