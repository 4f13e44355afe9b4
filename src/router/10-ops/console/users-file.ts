/**
 * The console's users file (`console.users`, default `config/users.yaml`; `ITK_ROUTER_USERS`
 * overrides): each user's name, role, scrypt password hash and API tokens, the tokens stored as
 * SHA-256 of their secret with an expiry. Written only by `itk-router users`, atomically (a new
 * file renamed over the old), readable by its owner only. Pure reading and changing here; the
 * file system at the two ends.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { isPasswordHash } from './password-hash.js';
import { isRole, ROLES, type Role } from './roles.js';

export interface ApiToken {
  /** Public part of the token, to find it (12 hex digits). */
  readonly id: string;
  /** SHA-256 (hex) of the secret part. */
  readonly hash: string;
  readonly created: Date;
  readonly expires: Date;
}

export interface ConsoleUser {
  readonly name: string;
  readonly role: Role;
  /** `scrypt$…` (password-hash.ts). */
  readonly password: string;
  readonly tokens: readonly ApiToken[];
}

export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

export const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const TOKEN_ID = /^[0-9a-f]{12}$/;
const TOKEN = /^itkr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The users in the file; none when it does not exist. @throws UsersFileError naming file and key. */
export function readUsersFile(file: string): ConsoleUser[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsersFileError(`cannot read the users file ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new UsersFileError(`${file}: not YAML: ${(err as Error).message}`);
  }
  return parseUsers(data ?? { users: [] }, file);
}

export function parseUsers(data: unknown, file: string): ConsoleUser[] {
  const fail = (key: string, message: string): never => {
    throw new UsersFileError(`${file}: ${key}: ${message}`);
  };
  const obj = (v: unknown, key: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(key, 'must be a mapping');
  const only = (o: Record<string, unknown>, key: string, keys: string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${key}.${k}`, 'unknown key');
  };
  const date = (v: unknown, key: string): Date => {
    const d = typeof v === 'string' || v instanceof Date ? new Date(v) : new Date(NaN);
    return Number.isNaN(d.getTime()) ? fail(key, 'must be an ISO 8601 time') : d;
  };
  const root = obj(data, '(file)');
  only(root, '(file)', ['users']);
  const list = root.users ?? [];
  if (!Array.isArray(list)) return fail('users', 'must be a list');
  const seen = new Set<string>();
  return list.map((raw, i): ConsoleUser => {
    const at = `users[${i}]`;
    const u = obj(raw, at);
    only(u, at, ['name', 'role', 'password', 'tokens']);
    if (typeof u.name !== 'string' || !USER_NAME.test(u.name))
      fail(`${at}.name`, `must match ${USER_NAME.source}`);
    const name = u.name as string;
    if (seen.has(name)) fail(`${at}.name`, `"${name}" is listed twice`);
    seen.add(name);
    if (!isRole(u.role)) fail(`${at}.role`, `must be one of ${ROLES.join(', ')}`);
    if (typeof u.password !== 'string' || !isPasswordHash(u.password))
      fail(`${at}.password`, 'must be a scrypt hash written by `itk-router users add`');
    const tokens = u.tokens ?? [];
    if (!Array.isArray(tokens)) fail(`${at}.tokens`, 'must be a list');
    return {
      name,
      role: u.role as Role,
      password: u.password as string,
      tokens: (tokens as unknown[]).map((rawToken, j) => {
        const tk = `${at}.tokens[${j}]`;
        const t = obj(rawToken, tk);
        only(t, tk, ['id', 'hash', 'created', 'expires']);
        if (typeof t.id !== 'string' || !TOKEN_ID.test(t.id))
          fail(`${tk}.id`, 'must be 12 hex digits');
        if (typeof t.hash !== 'string' || !/^[0-9a-f]{64}$/.test(t.hash))
          fail(`${tk}.hash`, 'must be a SHA-256 in hex');
        return {
          id: t.id as string,
          hash: t.hash as string,
          created: date(t.created, `${tk}.created`),
          expires: date(t.expires, `${tk}.expires`),
        };
      }),
    };
  });
}

/** Writes the users atomically, readable by the owner only. */
export function writeUsersFile(file: string, users: readonly ConsoleUser[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text =
    '# itk-router console users: written by `itk-router users`; password and token hashes only.\n' +
    stringify({
      users: users.map((u) => ({
        name: u.name,
        role: u.role,
        password: u.password,
        tokens: u.tokens.map((t) => ({
          id: t.id,
          hash: t.hash,
          created: t.created.toISOString(),
          expires: t.expires.toISOString(),
        })),
      })),
    });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function addUser(
  users: readonly ConsoleUser[],
  name: string,
  role: Role,
  password: string,
): ConsoleUser[] {
  if (!USER_NAME.test(name))
    throw new UsersFileError(`user name "${name}" must match ${USER_NAME.source}`);
  if (users.some((u) => u.name === name))
    throw new UsersFileError(`user "${name}" exists already (remove it first to replace it)`);
  return [...users, { name, role, password, tokens: [] }];
}

export function removeUser(users: readonly ConsoleUser[], name: string): ConsoleUser[] {
  if (!users.some((u) => u.name === name)) throw new UsersFileError(`no user "${name}"`);
  return users.filter((u) => u.name !== name);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A new token for a user: the users with its hash added, and the token (shown once). */
export function issueToken(
  users: readonly ConsoleUser[],
  name: string,
  lifetimeSeconds: number,
  now: Date,
): { users: ConsoleUser[]; token: string; expires: Date } {
  const user = users.find((u) => u.name === name);
  if (!user) throw new UsersFileError(`no user "${name}"`);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const expires = new Date(now.getTime() + lifetimeSeconds * 1000);
  // expired tokens are dropped when a new one is issued
  const kept = user.tokens.filter((t) => t.expires > now);
  const changed = {
    ...user,
    tokens: [...kept, { id, hash: sha256(secret), created: now, expires }],
  };
  return {
    users: users.map((u) => (u === user ? changed : u)),
    token: `itkr_${id}_${secret}`,
    expires,
  };
}

/** The user a bearer token belongs to, or why it is refused. */
export function userOfToken(
  users: readonly ConsoleUser[],
  token: string,
  now: Date,
): { user: ConsoleUser } | { refused: string } {
  const m = TOKEN.exec(token);
  if (!m) return { refused: 'not an itk-router token' };
  const [, id, secret] = m;
  const hash = Buffer.from(sha256(secret!), 'hex');
  for (const user of users) {
    const t = user.tokens.find((x) => x.id === id);
    if (!t) continue;
    if (!timingSafeEqual(Buffer.from(t.hash, 'hex'), hash)) break;
    if (t.expires <= now) return { refused: 'the token has expired' };
    return { user };
  }
  return { refused: 'unknown or revoked token' };
}
