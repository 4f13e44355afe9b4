/** The one error class the message store throws, whatever the database behind it. */

export type StoreErrorCode =
  /** No message with that internal id. */
  | 'unknown-message'
  /** `complete` was called a second time for the same message. */
  | 'already-completed'
  /** An argument the types allow but the store refuses (e.g. an unknown state from JS). */
  | 'invalid-argument'
  /** A migration file is malformed, or an applied one was edited (they are append-only). */
  | 'migration-failed'
  /** A newer router migrated the store: this code does not know its schema (schema-status.ts). */
  | 'schema-newer'
  /** The database is locked or unreachable for now; the same call may succeed later. */
  | 'busy'
  /**
   * Another router instance is processing this message now (its processing claim is live): try
   * again later, when it is completed (a duplicate) or the claim has run out (a takeover).
   */
  | 'in-progress'
  /** The store was closed. */
  | 'closed'
  /** Anything else the database reported. */
  | 'failed';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** Whether the same call may succeed if retried later (the pipeline then retries the message). */
    readonly retryable = code === 'busy' || code === 'in-progress',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
