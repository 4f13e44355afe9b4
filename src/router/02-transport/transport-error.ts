/** Errors the transport reports, each with a stable `code`, a `retryable` flag and a `cause`. */

export type TransportErrorCode =
  /** The broker nacked the publish. */
  | 'PUBLISH_NACKED'
  /** The channel closed before the broker confirmed; `replyCode` says why when the broker said so. */
  | 'CHANNEL_CLOSED'
  /** A `mandatory` publish matched no queue (AMQP 312 NO_ROUTE). */
  | 'UNROUTABLE'
  /** No confirm arrived within the publisher's timeout; the message may still have been stored. */
  | 'CONFIRM_TIMEOUT'
  /** The connection or publisher was closed by the application. */
  | 'CLOSED'
  /**
   * The message cannot be published as it is: a property or header does not fit AMQP's limits
   * (amqp-limits.ts). Never sent; sending it again fails the same way: not retryable.
   */
  | 'INVALID_PROPERTIES';

/** Options of a {@link TransportError}. */
export interface TransportErrorOptions {
  readonly cause?: unknown;
  /** The AMQP reply code the broker gave (e.g. 406 PRECONDITION_FAILED), when there was one. */
  readonly replyCode?: number;
  readonly retryable?: boolean;
}

/** AMQP reply codes that mean "this request is wrong": sending it again fails the same way. */
const PERMANENT_REPLY_CODES = new Set([403, 404, 406, 312]);

export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: TransportErrorCode;
  readonly replyCode: number | undefined;
  /** Whether the same operation may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.replyCode = options.replyCode;
    this.retryable =
      options.retryable ??
      (code !== 'UNROUTABLE' &&
        code !== 'CLOSED' &&
        code !== 'INVALID_PROPERTIES' &&
        !PERMANENT_REPLY_CODES.has(options.replyCode ?? 0));
  }
}

/** The AMQP reply code amqplib puts on channel and connection errors, if any. */
export function replyCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
