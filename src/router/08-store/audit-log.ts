/**
 * The audit log: who did what through the console or the users command, to which message, NHS
 * number, quarantine entry or user, when and from where (docs/console.md, "The audit log").
 * Append-only; kept for its own retention (`console.auditRetention`), pruned oldest first.
 * Pure types here; SQLite and PostgreSQL implement {@link AuditLog}, in the store contract suite.
 */

/** What an audit row records. */
export const AUDIT_ACTIONS = [
  'sign-in',
  'sign-in-refused',
  'sign-out',
  'body-view',
  'careplan-lookup',
  'quarantine-replay',
  'quarantine-purge',
  'user-add',
  'user-remove',
  'token-issue',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const isAuditAction = (s: string): s is AuditAction =>
  (AUDIT_ACTIONS as readonly string[]).includes(s);

/** One row to append. */
export interface AuditEntry {
  readonly at: Date;
  /** The user name (for a refused sign-in: the name tried). */
  readonly actor: string;
  /** The actor's role when known (a refused sign-in has none). */
  readonly role?: string;
  readonly action: AuditAction;
  /** The tracking id, NHS number, quarantine entry id or user name concerned. */
  readonly target?: string;
  /** The reason given, or what came of it in words. */
  readonly detail?: string;
  /** `ok`, `refused` or `failed`. */
  readonly outcome: 'ok' | 'refused' | 'failed';
  /** Where from: the client's address, or `cli:<os user>` for the users command. */
  readonly client: string;
}

/** A stored row: the entry with its sequence number (insertion order). */
export interface AuditRecord extends AuditEntry {
  readonly seq: number;
}

export interface AuditQuery {
  readonly since?: Date;
  readonly until?: Date;
  readonly actor?: string;
  readonly action?: AuditAction;
  /** Rows older than this sequence number only (the page cursor); newest first. */
  readonly beforeSeq?: number;
  readonly limit: number;
}

export interface AuditLog {
  /** Appends one row, in its own transaction; resolves once it is committed. */
  record(entry: AuditEntry): Promise<void>;
  /** Rows matching the query, newest first, at most `limit`. */
  list(query: AuditQuery): Promise<readonly AuditRecord[]>;
  /** Deletes at most `limit` rows older than `before`, oldest first; returns how many. */
  prune(before: Date, limit: number): Promise<number>;
}
