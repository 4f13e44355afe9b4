/**
 * OpenTelemetry traces, behind a small facade so that the pipeline needs no SDK. Off by default:
 * then `NO_TRACING` is used, every call is a plain function call, no header is added and no
 * OpenTelemetry module is loaded (this file imports none). `startTracing` loads the SDK
 * (tracing-otel.ts, by dynamic import) only when the standard `OTEL_*` environment asks for
 * traces: see `tracingWanted` and docs/operations.md "Traces".
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

type Env = Readonly<Record<string, string | undefined>>;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

/**
 * Whether the environment asks for traces, and why (for the start-up log line). On when
 * `OTEL_TRACES_EXPORTER` names `otlp`, or, with no `OTEL_TRACES_EXPORTER`, when an OTLP endpoint
 * is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). Off otherwise,
 * and always when `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER` names `none`. (The SDK's own
 * default exporter is `otlp`; the router's default is off, so a stock install sends nothing.)
 */
export function tracingWanted(env: Env): { on: boolean; why: string } {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { on: false, why: 'OTEL_SDK_DISABLED=true' };
  }
  const named = list(env.OTEL_TRACES_EXPORTER);
  if (named.length > 0) {
    const unknown = named.filter((n) => n !== 'otlp' && n !== 'none');
    const why = `OTEL_TRACES_EXPORTER=${named.join(',')}${
      unknown.length > 0 ? ` (only otlp is supported; ignored: ${unknown.join(', ')})` : ''
    }`;
    return { on: named.includes('otlp') && !named.includes('none'), why };
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
      ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
      : undefined;
  if (endpoint) return { on: true, why: `${endpoint} is set` };
  return { on: false, why: 'no OTEL_TRACES_EXPORTER and no OTEL_EXPORTER_OTLP_ENDPOINT' };
}

/**
 * Tracing as the environment asks: `NO_TRACING`, or the SDK with the OTLP exporter (http/json),
 * loaded now. `notes` are the lines worth logging at start.
 */
export async function startTracing(env: Env): Promise<{ tracing: Tracing; notes: string[] }> {
  const wanted = tracingWanted(env);
  if (!wanted.on) return { tracing: NO_TRACING, notes: [`tracing off: ${wanted.why}`] };
  const { startOtelTracing } = await import('./tracing-otel.js');
  const { tracing, notes } = startOtelTracing(env);
  return { tracing, notes: [`tracing on: ${wanted.why}`, ...notes] };
}
