/** A failure inside the pipeline, with what was known of the message when it failed. */
import type { Envelope } from '../03-envelope/envelope.js';
import { RouterError } from '../00-common/router-error.js';

export interface FailureContext {
  readonly trackingId?: string;
  readonly senderEndpointId?: string;
  /** The store's id of the message, when its record was begun. */
  readonly messageId?: string;
  readonly envelope?: Envelope;
}

export class PipelineFailure extends Error {
  override readonly name = 'PipelineFailure';

  constructor(
    override readonly cause: unknown,
    readonly context: FailureContext,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }

  /**
   * The store or the broker was unavailable (busy, down, connection lost): not the message's
   * fault, so waiting and trying it again in place costs it no delivery attempt (for a bounded
   * number of tries: handle-message.ts). A failure the message causes is never an outage: a
   * broker refusing it (a nack, no queue, a confirm timeout), a property that does not fit AMQP
   * (INVALID_PROPERTIES), a channel the broker closed with a permanent reply code (403, 404, 406).
   */
  get outage(): boolean {
    return this.cause instanceof RouterError && this.cause.retryable;
  }

  static of(err: unknown): PipelineFailure {
    return err instanceof PipelineFailure ? err : new PipelineFailure(err, {});
  }
}
