/**
 * router/10-ops/tracing.ts: when the OTEL_* environment turns traces on (off by default), and log lines
 * carrying trace_id / span_id while a span is active. The spans themselves are checked end to end
 * in test/integration/pipeline/tracing.test.ts.
 */
import { PassThrough } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { addLogFields, createLogger } from '../../../src/router/00-common/logger.js';
import { NO_TRACING, tracingWanted } from '../../../src/router/10-ops/tracing.js';
import { createOtelTracing } from '../../../src/router/10-ops/tracing-otel.js';
import type { InboundMessage } from '../../../src/router/02-transport/inbound-message.js';

describe('tracingWanted: off by default, on with the standard OTEL_* variables', () => {
  test.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'itk-router' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: ' OTLP ' }, true],
    [{ OTEL_TRACES_EXPORTER: 'zipkin,otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp,none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'console' }, false],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '   ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false' }, true],
  ])('%j → on: %s', (env, on) => {
    const wanted = tracingWanted(env);
    expect(wanted.on).toBe(on);
    expect(wanted.why).not.toBe('');
  });

  test('an exporter it cannot send to is named in the reason', () => {
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'zipkin,otlp' }).why).toContain('ignored: zipkin');
  });
});

const inbound = (headers: Record<string, unknown> = {}): InboundMessage => ({
  body: Buffer.from('<x/>'),
  properties: {
    userId: 'someone',
    messageId: 'm-1',
    type: undefined,
    appId: undefined,
    contentType: 'application/xml',
    contentEncoding: undefined,
    correlationId: undefined,
    replyTo: undefined,
    deliveryMode: 2,
    priority: undefined,
    expiration: undefined,
    timestamp: undefined,
    headers,
  },
  redelivered: false,
  deliveryTag: 1,
  exchange: 'itk.inbound',
  routingKey: '',
});

describe('log lines carry trace_id and span_id while tracing is on', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = createOtelTracing({ processors: [new SimpleSpanProcessor(exporter)] });
  afterAll(() => tracing.shutdown());

  const capture = () => {
    const stream = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    stream.on('data', (b: Buffer) =>
      b
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
    );
    return { log: createLogger('info', stream), lines };
  };

  test('a line logged inside a stage names that stage span; a child logger too; none outside', async () => {
    const { log, lines } = capture();
    addLogFields(log, tracing.logFields);
    const traceId = 'a'.repeat(31) + '1';
    await tracing.consume(
      inbound({ traceparent: `00-${traceId}-${'b'.repeat(16)}-01` }),
      async () => {
        await tracing.stage('deliver', async () => {
          await new Promise((r) => setTimeout(r, 5)); // across an await
          log.child({ trackingId: 'T-1' }).info('inside');
        });
      },
    );
    log.info('outside');
    await new Promise((r) => setImmediate(r));
    const stage = exporter.getFinishedSpans().find((s) => s.name === 'itk.deliver')!;
    expect(lines.find((l) => l.message === 'inside')).toMatchObject({
      trackingId: 'T-1',
      trace_id: traceId,
      span_id: stage.spanContext().spanId,
    });
    expect(lines.find((l) => l.message === 'outside')).not.toHaveProperty('trace_id');
  });

  test('a stage that throws ends its span as an error and rethrows', async () => {
    exporter.reset();
    await expect(
      tracing.consume(inbound(), async () =>
        tracing.stage('record', async () => {
          throw new Error('store unavailable');
        }),
      ),
    ).rejects.toThrow('store unavailable');
    const record = exporter.getFinishedSpans().find((s) => s.name === 'itk.record')!;
    expect(record.status).toMatchObject({ code: 2, message: 'store unavailable' });
    expect(() =>
      tracing.stage('route', () => {
        throw new Error('sync');
      }),
    ).toThrow('sync');
  });

  test('NO_TRACING adds nothing: same publisher, no fields, the function just runs', async () => {
    const publisher = { publish: async () => undefined };
    expect(NO_TRACING.publisher(publisher)).toBe(publisher);
    expect(NO_TRACING.logFields()).toBeUndefined();
    expect(NO_TRACING.stage('route', () => 42)).toBe(42);
    await expect(NO_TRACING.consume(inbound(), async () => 'ack')).resolves.toBe('ack');
  });
});
