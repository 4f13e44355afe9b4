/** A failure inside the pipeline, with what was known of the message when it failed. */
import type { Envelope } from '../envelope/envelope.js';

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

  /** Whether waiting and trying again may succeed (the store or the broker was unavailable). */
  get retryable(): boolean {
    return (this.cause as { retryable?: unknown } | undefined)?.retryable === true;
  }

  static of(err: unknown): PipelineFailure {
    return err instanceof PipelineFailure ? err : new PipelineFailure(err, {});
  }
}
