/**
 * What the pipeline asks of tracing: a port it is handed in its dependencies, so that it imports
 * no OpenTelemetry and no ops module. `10-ops/tracing.ts` builds the real one when the environment
 * asks for traces; `NO_TRACING` is the default.
 */
import type { Publisher } from '../07-delivery/outbound.js';
import type { InboundMessage } from '../02-transport/inbound-message.js';

/** The pipeline's stages, each a child span of the message's `process` span. */
export type StageName =
  | 'validate'
  | 'route'
  | 'record'
  | 'careplan'
  | 'correlate'
  | 'deliver'
  | 'answer'
  | 'quarantine'
  | 'complete';

export type TraceAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `handle` under one `process` span for an inbound message, continuing the trace of its
   * `traceparent` / `tracestate` headers when it has them.
   */
  consume<R>(msg: InboundMessage, handle: () => Promise<R>): Promise<R>;
  /** Runs one pipeline stage (sync or async) as a child span of the current message span. */
  stage<T>(name: StageName, fn: () => T): T;
  /** Sets attributes on the current message's `process` span (undefined values are skipped). */
  annotate(attributes: TraceAttributes): void;
  /** Marks the current message span as failed (a retry or a poison message). */
  fail(reason: string): void;
  /** A publisher that sends each message under a `send` span and writes its trace headers. */
  publisher(inner: Publisher): Publisher;
  /** `trace_id` and `span_id` of the span active now, for log lines; undefined when none. */
  logFields(): { trace_id: string; span_id: string } | undefined;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** Tracing off: nothing is recorded, nothing is added to messages. */
export const NO_TRACING: Tracing = Object.freeze({
  enabled: false,
  consume: <R>(_msg: InboundMessage, handle: () => Promise<R>) => handle(),
  stage: <T>(_name: StageName, fn: () => T) => fn(),
  annotate: () => undefined,
  fail: () => undefined,
  publisher: (inner: Publisher) => inner,
  logFields: () => undefined,
  shutdown: async () => undefined,
});
