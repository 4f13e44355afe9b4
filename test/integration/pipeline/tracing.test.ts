/**
 * Traces across hops (issue 17), end to end on the real broker: the router in-process with the
 * SDK's in-memory exporter. A supplier's `traceparent` is continued: one `process` span per
 * message under the supplier's span, a span per stage under it, a `send` span per publish, and
 * every message the router publishes (delivery, nack, quarantine copy) carries a `traceparent`
 * whose parent is that router `send` span. The process-level checks (the OTEL_* rule, no SDK
 * loaded when off, OTLP export) are in test/integration/tracing-process.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { GetMessage } from 'amqplib';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { createOtelTracing } from '../../../src/router/10-ops/tracing-otel.js';
import { startRouterHarness, type StartedRouterHarness } from '../../support/router-harness.js';
import { sleep } from '../../support/wait-for.js';
import { ADDR, cda, CDA_SERVICE } from './de-messages.js';

const exporter = new InMemorySpanExporter();
const tracing = createOtelTracing({ processors: [new SimpleSpanProcessor(exporter)] });
let h: StartedRouterHarness;
// The harness's own hooks allow 30 s; making the broker users takes longer on a loaded machine.
beforeAll(async () => {
  h = await startRouterHarness({ startOptions: { tracing } });
}, 120_000);
afterEach(() => h.reset());
afterAll(async () => {
  await h?.stop();
  await tracing.shutdown();
}, 60_000);
beforeEach(() => exporter.reset());

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const supplierContext = () => ({ traceId: hex(16), spanId: hex(8) });
const traceparentOf = (c: { traceId: string; spanId: string }) => `00-${c.traceId}-${c.spanId}-01`;

/** `traceparent` of a message the router published: version, trace id, parent span id, flags. */
function parentOf(msg: GetMessage): { traceId: string; spanId: string; flags: string } {
  const header = msg.properties.headers?.traceparent as unknown;
  const text = Buffer.isBuffer(header) ? header.toString() : header;
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(text));
  if (!m) throw new Error(`no valid traceparent on the message: ${String(text)}`);
  return { traceId: m[1]!, spanId: m[2]!, flags: m[3]! };
}

/** Waits until the `process` span of the trace has ended (the message is settled). */
async function spansOf(traceId: string, timeoutMs = 5000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (spans.some((s) => s.name.startsWith('process '))) return spans;
    if (Date.now() > deadline) throw new Error(`no process span in trace ${traceId}`);
    await sleep(20);
  }
}

const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const one = (spans: ReadableSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
};

describe('a supplier trace continues through the router', () => {
  test('the router spans join the trace, and the delivered copy carries a traceparent whose parent is the router send span', async () => {
    const supplier = supplierContext();
    const msg = cda();
    await h.publish('gp', msg.bytes, {
      messageId: 'supplier-message-1',
      headers: { traceparent: traceparentOf(supplier), tracestate: 'supplier=abc' },
    });
    const copy = await h.takeOne(h.queue('riverside-community'));
    const spans = await spansOf(supplier.traceId);

    const process = one(spans, `process ${h.names.inboundExchange}`);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(parentId(process)).toBe(supplier.spanId);
    expect(process.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': h.names.inboundExchange,
      'messaging.message.id': 'supplier-message-1',
      'itk.tracking_id': msg.trackingId,
      'itk.service': CDA_SERVICE,
      'itk.sender': 'riverside-gp',
      'itk.outcome': 'delivered',
    });
    expect(process.attributes['itk.error_code']).toBeUndefined();

    // One span per stage, each a child of the message span.
    const stages = spans.filter((s) => parentId(s) === process.spanContext().spanId);
    expect(stages.map((s) => s.name).sort()).toEqual(
      [
        'itk.answer',
        'itk.complete',
        'itk.correlate',
        'itk.deliver',
        'itk.record',
        'itk.route',
        'itk.validate',
      ].sort(),
    );

    const send = one(spans, `send ${h.names.deliverExchange}`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(parentId(send)).toBe(one(spans, 'itk.deliver').spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.destination.name': h.names.deliverExchange,
      'messaging.rabbitmq.destination.routing_key': 'riverside-community',
      'messaging.message.id': msg.trackingId,
      'itk.tracking_id': msg.trackingId,
      'itk.recipient': ADDR.community,
    });

    const header = parentOf(copy);
    expect(header.traceId).toBe(supplier.traceId);
    expect(header.spanId).toBe(send.spanContext().spanId);
    expect(header.flags).toBe('01');
    expect(String(copy.properties.headers?.tracestate)).toBe('supplier=abc');
    // The contract's own headers are all still there.
    expect(copy.properties.headers).toMatchObject({
      'itk-tracking-id': msg.trackingId,
      'itk-sender': 'riverside-gp',
    });
  });

  test('a nack and a quarantine copy carry the trace too, with the outcome and error code on the message span', async () => {
    const supplier = supplierContext();
    await h.publish('gp', Buffer.from('this is not XML at all'), {
      headers: { traceparent: traceparentOf(supplier) },
    });
    const nack = await h.takeOne(h.queue('riverside-gp'));
    const quarantined = await h.takeOne(h.names.quarantineQueue);
    const spans = await spansOf(supplier.traceId);
    const process = one(spans, `process ${h.names.inboundExchange}`);
    expect(process.attributes['itk.outcome']).toBe('unreadable');
    expect(process.attributes['itk.error_code']).toEqual(
      quarantined.properties.headers?.['itk-error-code'],
    );

    const sends = spans.filter((s) => s.kind === SpanKind.PRODUCER);
    for (const copy of [nack, quarantined]) {
      const header = parentOf(copy);
      expect(header.traceId).toBe(supplier.traceId);
      expect(sends.map((s) => s.spanContext().spanId)).toContain(header.spanId);
    }
    expect(one(spans, 'send amq.default').attributes['itk.error_code']).toBe(
      quarantined.properties.headers?.['itk-error-code'],
    );
    expect(spans.map((s) => s.name)).toContain('itk.quarantine');
  });

  test('a message without a traceparent starts a trace of the router; its copy carries that trace', async () => {
    await h.publish('gp', cda().bytes);
    const copy = await h.takeOne(h.queue('riverside-community'));
    const { traceId, spanId } = parentOf(copy);
    const spans = await spansOf(traceId);
    const process = one(spans, `process ${h.names.inboundExchange}`);
    expect(process.parentSpanContext).toBeUndefined();
    expect(one(spans, `send ${h.names.deliverExchange}`).spanContext().spanId).toBe(spanId);
  });

  // A traceparent the W3C format refuses is ignored (a new trace starts), never an error and
  // never copied: other version, all-zero ids, upper case, white space, truncated, junk.
  test.each([
    ['version ff', (c: ReturnType<typeof supplierContext>) => `ff-${c.traceId}-${c.spanId}-01`],
    ['all-zero trace id', (c) => `00-${'0'.repeat(32)}-${c.spanId}-01`],
    ['all-zero span id', (c) => `00-${c.traceId}-${'0'.repeat(16)}-01`],
    ['upper-case hex', (c) => `00-${c.traceId.toUpperCase()}-${c.spanId.toUpperCase()}-01`],
    ['truncated', (c) => `00-${c.traceId}-${c.spanId.slice(0, 8)}`],
    ['junk', () => 'not a traceparent'],
    ['tab inside', (c) => `00-${c.traceId}\t-${c.spanId}-01`],
  ])('a malformed traceparent (%s) is ignored: the copy starts a new trace', async (_, make) => {
    const supplier = supplierContext();
    const msg = cda();
    await h.publish('gp', msg.bytes, { headers: { traceparent: make(supplier) } });
    const copy = await h.takeOne(h.queue('riverside-community'));
    const header = parentOf(copy);
    expect(header.traceId).not.toBe(supplier.traceId);
    expect(String(copy.properties.headers?.traceparent)).not.toContain(supplier.spanId);
    const process = one(await spansOf(header.traceId), `process ${h.names.inboundExchange}`);
    expect(process.parentSpanContext).toBeUndefined();
    expect(process.attributes['itk.outcome']).toBe('delivered');
  });
});
