/**
 * Browser sessions, held in memory by this router instance: an unguessable id in an HttpOnly,
 * SameSite=Strict cookie, a CSRF token per session, and an idle timeout (30 minutes by default).
 * A session names its user only: the user's role is read from the users file on every request,
 * so a removed user's session ends at once. Behind a load balancer, use sticky sessions or tokens.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly csrfToken: string;
  readonly created: Date;
  lastSeen: Date;
}

/** The most sessions held at once; the least recently used goes first past it. */
const MAX_SESSIONS = 10_000;

const token = () => randomBytes(32).toString('base64url');

export class Sessions {
  readonly #byId = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(user: string): Session {
    const at = this.now();
    const session: Session = { id: token(), user, csrfToken: token(), created: at, lastSeen: at };
    this.#byId.set(session.id, session);
    if (this.#byId.size > MAX_SESSIONS) this.#byId.delete(this.#byId.keys().next().value!);
    return session;
  }

  /** The live session with this id, its idle time restarted; undefined when unknown or idle too long. */
  touch(id: string): Session | undefined {
    const session = this.#byId.get(id);
    if (!session) return undefined;
    const at = this.now();
    if (at.getTime() - session.lastSeen.getTime() > this.idleMs) {
      this.#byId.delete(id);
      return undefined;
    }
    session.lastSeen = at;
    // most recently used last, so the oldest is first to go past MAX_SESSIONS
    this.#byId.delete(id);
    this.#byId.set(id, session);
    return session;
  }

  end(id: string): void {
    this.#byId.delete(id);
  }

  /** Ends every session of a user (removed from the users file). */
  endUser(user: string): void {
    for (const [id, s] of this.#byId) if (s.user === user) this.#byId.delete(id);
  }

  get idleSeconds(): number {
    return Math.round(this.idleMs / 1000);
  }
}

/** Whether `given` is the session's CSRF token (constant time). */
export function csrfMatches(session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
