/** The one error class the message store throws, whatever the database behind it. */
import { RouterError } from '../00-common/router-error.js';

/** Every code, with whether it is retryable by default: docs/errors.md lists the same. */
export const STORE_ERROR_CODES = {
  /** No message with that internal id. */
  'unknown-message': false,
  /** `complete` was called a second time for the same message. */
  'already-completed': false,
  /** An argument the types allow but the store refuses (e.g. an unknown state from JS). */
  'invalid-argument': false,
  /** A migration file is malformed, or an applied one was edited (they are append-only). */
  'migration-failed': false,
  /** A newer router migrated the store: this code does not know its schema (schema-status.ts). */
  'schema-newer': false,
  /** The database is locked or unreachable for now; the same call may succeed later. */
  busy: true,
  /**
   * Another router instance is processing this message now (its processing claim is live): try
   * again later, when it is completed (a duplicate) or the claim has run out (a takeover).
   */
  'in-progress': true,
  /** The store was closed. */
  closed: false,
  /** Anything else the database reported. */
  failed: false,
} as const satisfies Record<string, boolean>;

export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

export class StoreError extends RouterError<StoreErrorCode> {
  override readonly name = 'StoreError';

  constructor(
    code: StoreErrorCode,
    message: string,
    /** Whether the same call may succeed if retried later (the pipeline then retries the message). */
    retryable: boolean = STORE_ERROR_CODES[code],
    options?: { cause?: unknown },
  ) {
    super(code, message, retryable, options);
  }
}
