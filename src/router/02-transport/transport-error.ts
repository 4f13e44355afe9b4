/** Errors the transport reports, each with a stable `code`, a `retryable` flag and a `cause`. */
import { RouterError } from '../00-common/router-error.js';

/** Every code, with whether it is an outage (retryable): docs/errors.md lists the same. */
export const TRANSPORT_ERROR_CODES = {
  /** The broker nacked the publish: the message's failure (it may be refused again). */
  PUBLISH_NACKED: false,
  /**
   * The channel closed before the broker confirmed; `replyCode` says why when the broker said so.
   * An outage unless the reply code says the request itself is wrong (403, 404, 406, 312).
   */
  CHANNEL_CLOSED: true,
  /** A `mandatory` publish matched no queue (AMQP 312 NO_ROUTE). */
  UNROUTABLE: false,
  /** No confirm arrived within the publisher's timeout; the message may still have been stored. */
  CONFIRM_TIMEOUT: false,
  /** The connection or publisher is closed (lost, or the router is stopping): an outage. */
  CLOSED: true,
  /**
   * The message cannot be published as it is: a property or header does not fit AMQP's limits
   * (amqp-limits.ts). Never sent; sending it again fails the same way.
   */
  INVALID_PROPERTIES: false,
} as const satisfies Record<string, boolean>;

export type TransportErrorCode = keyof typeof TRANSPORT_ERROR_CODES;

/** Options of a {@link TransportError}. */
export interface TransportErrorOptions {
  readonly cause?: unknown;
  /** The AMQP reply code the broker gave (e.g. 406 PRECONDITION_FAILED), when there was one. */
  readonly replyCode?: number;
}

/** AMQP reply codes that mean "this request is wrong": sending it again fails the same way. */
const PERMANENT_REPLY_CODES = new Set([403, 404, 406, 312]);

export class TransportError extends RouterError<TransportErrorCode> {
  override readonly name = 'TransportError';
  readonly replyCode: number | undefined;

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(
      code,
      message,
      TRANSPORT_ERROR_CODES[code] && !PERMANENT_REPLY_CODES.has(options.replyCode ?? 0),
      { cause: options.cause },
    );
    this.replyCode = options.replyCode;
  }
}

/** The AMQP reply code amqplib puts on channel and connection errors, if any. */
export function replyCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
