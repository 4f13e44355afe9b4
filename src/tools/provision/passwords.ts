/**
 * Where each account's password comes from. `env`: the variable ITK_PASSWORD_<USER> (the script
 * reads it when it runs; a definitions file hashes its value when `provision` runs). `generate`:
 * a new random password per account. `none`: no password (another auth mechanism, e.g. x509
 * certificates, or set later with `rabbitmqctl change_password`).
 */
import { randomBytes } from 'node:crypto';

export const PASSWORD_MODES = ['env', 'generate', 'none'] as const;
export type PasswordMode = (typeof PASSWORD_MODES)[number];

/** Passwords known in clear when the output is rendered, by broker user. */
export type KnownPasswords = ReadonlyMap<string, string>;

/** A new random password: 24 bytes, base64url (32 characters, safe in a shell word and a URL). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The environment variable holding each user's password: ITK_PASSWORD_ and the user name in upper
 * case, every run of other characters than A–Z and 0–9 as `_` (`riverside-gp` →
 * `ITK_PASSWORD_RIVERSIDE_GP`). Two users that map to one name get `_2`, `_3`… in `users` order.
 */
export function passwordVariables(users: readonly string[]): ReadonlyMap<string, string> {
  const byUser = new Map<string, string>();
  const taken = new Set<string>();
  for (const user of users) {
    if (byUser.has(user)) continue;
    const base = `ITK_PASSWORD_${user.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    byUser.set(user, name);
  }
  return byUser;
}

/** The passwords a mode knows now: generated ones, or those set in `env` (others are absent). */
export function knownPasswords(
  mode: PasswordMode,
  users: readonly string[],
  env: NodeJS.ProcessEnv,
): Map<string, string> {
  const known = new Map<string, string>();
  if (mode === 'none') return known;
  for (const [user, variable] of passwordVariables(users)) {
    const value = mode === 'generate' ? generatePassword() : env[variable];
    if (value !== undefined && value !== '') known.set(user, value);
  }
  return known;
}
