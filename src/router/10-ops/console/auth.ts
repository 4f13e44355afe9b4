/**
 * Who is calling: a bearer token (`Authorization: Bearer itkr_…`), else the session cookie. Every
 * route declares what it needs (`config.access`); this checks it before anything else runs:
 * no users at all → 401 saying how to add one; nobody → 401; too low a role → 403; a request that
 * changes something with the cookie and without the session's CSRF token → 403. Tokens need no
 * CSRF token: a browser never sends one by itself.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { readCookie } from './cookies.js';
import { allows, type Access, type Role } from './roles.js';
import { csrfMatches, type Session, type Sessions } from './sessions.js';
import { userOfToken } from './users-file.js';
import type { UsersSource } from './users-source.js';

export const SESSION_COOKIE = 'itk_session';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  readonly via: 'token' | 'session';
  readonly session?: Session;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const NO_USERS =
  'no console users yet: add one on the router machine with `itk-router users add <name> --role admin` (password on standard input)';

/** The caller, or undefined when the request carries no valid credentials. */
export function identify(
  req: FastifyRequest,
  users: UsersSource,
  sessions: Sessions,
  now: Date,
): Principal | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m)
      throw new ApiError('not-signed-in', 'the Authorization header must be "Bearer <token>"');
    const found = userOfToken(users.current().users, m[1]!, now);
    if ('refused' in found)
      throw new ApiError('not-signed-in', `bearer token refused: ${found.refused}`);
    return { name: found.user.name, role: found.user.role, via: 'token' };
  }
  const id = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!id) return undefined;
  const session = sessions.touch(id);
  if (!session) return undefined;
  const user = users.find(session.user);
  if (!user) {
    sessions.endUser(session.user);
    return undefined;
  }
  return { name: user.name, role: user.role, via: 'session', session };
}

/** Checks a request against what its route needs; returns the caller (undefined for open routes). */
export function authorise(
  req: FastifyRequest,
  access: Access,
  users: UsersSource,
  sessions: Sessions,
  now: Date,
): Principal | undefined {
  if (access === 'open') return undefined;
  const view = users.current();
  if (view.users.length === 0)
    throw new ApiError('no-users', view.problem ? `users file refused: ${view.problem}` : NO_USERS);
  const principal = identify(req, users, sessions, now);
  if (!principal)
    throw new ApiError(
      'not-signed-in',
      'sign in (POST /api/v1/session) or send "Authorization: Bearer <token>"',
    );
  if (!allows(principal.role, access))
    throw new ApiError('forbidden', `${principal.role} may not do this: it needs ${access}`);
  if (
    principal.session &&
    !SAFE_METHODS.has(req.method) &&
    !csrfMatches(principal.session, req.headers['x-csrf-token'])
  )
    throw new ApiError(
      'csrf-missing',
      'a request made with the session cookie must carry the x-csrf-token header the session gave',
    );
  return principal;
}
