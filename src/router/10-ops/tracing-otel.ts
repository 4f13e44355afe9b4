/**
 * The OpenTelemetry side of tracing.ts, loaded only when tracing is on. Spans of our own, named
 * and attributed by the messaging semantic conventions for RabbitMQ (the attribute names are
 * written out here: the semantic-conventions package keeps them in its unstable "incubating"
 * entry point and asks users to copy them). docs/operations.md "Traces" says why the router does
 * not use @opentelemetry/instrumentation-amqplib.
 */
import {
  context,
  createContextKey,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Publisher } from '../07-delivery/outbound.js';
import type { InboundMessage } from '../02-transport/inbound-message.js';
import type { StageName, TraceAttributes, Tracing } from '../09-pipeline/tracing-port.js';

/** Messaging attribute names (semantic conventions, messaging and RabbitMQ). */
const M = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  deliveryTag: 'messaging.rabbitmq.message.delivery_tag',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
} as const;

const MESSAGE_SPAN = createContextKey('itk-router message span');

type Headers = Readonly<Record<string, unknown>>;

const headerText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;

const getter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerText(carrier[key]),
};
const setter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** RabbitMQ's default exchange has an empty name; the conventions call it `amq.default`. */
const destinationOf = (exchange: string) => exchange || 'amq.default';

const defined = (attributes: TraceAttributes): Attributes => {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined && v !== '') out[k] = v;
  return out;
};

function endWith(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
  span.end();
}

export interface OtelTracingOptions {
  /** Where finished spans go (a BatchSpanProcessor with the OTLP exporter, in production). */
  readonly processors: readonly SpanProcessor[];
  readonly resourceAttributes?: Attributes;
}

/** Tracing with the given span processors (tests pass an in-memory exporter). */
export function createOtelTracing(options: OtelTracingOptions): Tracing {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'itk-router', ...options.resourceAttributes }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [...options.processors],
  });
  // Spans follow the message through awaits: the context lives in AsyncLocalStorage. One
  // manager per process; a second tracing in the same process (tests) shares the first's.
  const manager = new AsyncLocalStorageContextManager();
  const ownsManager = context.setGlobalContextManager(manager.enable());
  if (!ownsManager) manager.disable();
  const tracer = provider.getTracer('itk-router');
  const propagator = new W3CTraceContextPropagator();

  const run = <T>(span: Span, fn: () => T, ctx = trace.setSpan(context.active(), span)): T => {
    let result: T;
    try {
      result = context.with(ctx, fn);
    } catch (err) {
      endWith(span, err);
      throw err;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          span.end();
          return value;
        },
        (err: unknown) => {
          endWith(span, err);
          throw err;
        },
      ) as T;
    }
    span.end();
    return result;
  };

  return {
    enabled: true,
    consume<R>(msg: InboundMessage, handle: () => Promise<R>): Promise<R> {
      const parent = propagator.extract(ROOT_CONTEXT, msg.properties.headers, getter);
      const destination = destinationOf(msg.exchange);
      const span = tracer.startSpan(
        `process ${destination}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: defined({
            [M.system]: 'rabbitmq',
            [M.operationType]: 'process',
            [M.operationName]: 'process',
            [M.destination]: destination,
            [M.routingKey]: msg.routingKey,
            [M.deliveryTag]: msg.deliveryTag,
            [M.messageId]: msg.properties.messageId,
            [M.bodySize]: msg.body.length,
          }),
        },
        parent,
      );
      return run(span, handle, trace.setSpan(parent, span).setValue(MESSAGE_SPAN, span));
    },
    stage<T>(name: StageName, fn: () => T): T {
      return run(tracer.startSpan(`itk.${name}`, { attributes: { 'itk.stage': name } }), fn);
    },
    annotate(attributes) {
      (context.active().getValue(MESSAGE_SPAN) as Span | undefined)?.setAttributes(
        defined(attributes),
      );
    },
    fail(reason) {
      const span = context.active().getValue(MESSAGE_SPAN) as Span | undefined;
      span?.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    },
    publisher: (inner: Publisher): Publisher => ({
      publish(exchange, routingKey, body, properties) {
        const headers: Record<string, unknown> = { ...properties.headers };
        const destination = destinationOf(exchange);
        const span = tracer.startSpan(`send ${destination}`, {
          kind: SpanKind.PRODUCER,
          attributes: defined({
            [M.system]: 'rabbitmq',
            [M.operationType]: 'send',
            [M.operationName]: 'send',
            [M.destination]: destination,
            [M.routingKey]: routingKey,
            [M.messageId]: properties.messageId,
            [M.bodySize]: body.length,
            'itk.tracking_id': headerText(headers['itk-tracking-id']),
            'itk.service': headerText(headers['itk-service']),
            'itk.sender': headerText(headers['itk-sender']),
            'itk.recipient': headerText(headers['itk-recipient']),
            'itk.error_code': headerText(headers['itk-error-code']),
          }),
        });
        const ctx = trace.setSpan(context.active(), span);
        // The copy continues the trace from this send span; no stale context rides along.
        delete headers.traceparent;
        delete headers.tracestate;
        propagator.inject(ctx, headers, setter);
        return run(
          span,
          () => inner.publish(exchange, routingKey, body, { ...properties, headers }),
          ctx,
        );
      },
    }),
    logFields() {
      const sc = trace.getSpan(context.active())?.spanContext();
      return sc && isSpanContextValid(sc)
        ? { trace_id: sc.traceId, span_id: sc.spanId }
        : undefined;
    },
    async shutdown() {
      await provider.shutdown();
      if (ownsManager) context.disable();
    },
  };
}

/** Tracing from the `OTEL_*` environment: OTLP over HTTP (JSON), batched. */
export function startOtelTracing(env: Readonly<Record<string, string | undefined>>): {
  tracing: Tracing;
  notes: string[];
} {
  const notes: string[] = [];
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    ''
  ).trim();
  if (protocol && protocol !== 'http/json') {
    notes.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: sending http/json`);
  }
  // The exporter and the batch processor read their own OTEL_EXPORTER_OTLP_* / OTEL_BSP_* settings.
  const tracing = createOtelTracing({
    processors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  return { tracing, notes };
}
