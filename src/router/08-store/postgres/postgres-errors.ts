/** Turns what `pg` throws into a StoreError the pipeline can act on. */
import { StoreError } from '../store-error.js';

/**
 * SQLSTATEs after which the same call may succeed: serialization failure, deadlock, the server
 * shutting down or restarting, too many connections, a lock not available, and every connection
 * exception (class 08).
 */
const RETRYABLE_SQLSTATES = new Set([
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '55P03',
]);

/** Node socket errors that mean the server is unreachable for now. */
const RETRYABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** What `pg` and `pg-pool` say, without a code, when a connection is lost or cannot be had. */
const RETRYABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
];

/** Whether a SQLSTATE (or socket code) means "try again later". */
export function isRetryableCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return RETRYABLE_SQLSTATES.has(code) || code.startsWith('08') || RETRYABLE_SOCKET_CODES.has(code);
}

/** The SQLSTATEs the store itself re-runs a transaction after, before giving up as `busy`. */
export const isConflict = (err: unknown): boolean => {
  const code = codeOf(err);
  return code === '40001' || code === '40P01';
};

export function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

export function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const retryable =
    isRetryableCode(code) ||
    (err instanceof AggregateError && err.errors.some((e) => isRetryableCode(codeOf(e)))) ||
    RETRYABLE_MESSAGES.some((pattern) => pattern.test(message));
  const text = `PostgreSQL: ${message || code || 'connection failed'}${code ? ` (${code})` : ''}`;
  return new StoreError(retryable ? 'busy' : 'failed', text, retryable, { cause: err });
}
