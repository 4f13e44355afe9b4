/**
 * `npm run build && node dist/bench/tracing-overhead.js`: what the tracing facade costs per
 * message in the pipeline's own code, without the broker or the store. One "message" is what the
 * pipeline does with tracing: the consume wrapper, nine stage calls (validate … complete), two
 * annotate calls and two publishes through the wrapped publisher. Compared, in interleaved
 * rounds: the same work with no facade at all (the code before tracing), with tracing off
 * (NO_TRACING: what a stock install runs), and with tracing on (SDK, spans dropped by a
 * processor that exports nothing). Prints ns per message; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Publisher } from '../src/router/07-delivery/outbound.js';
import { NO_TRACING, type StageName, type Tracing } from '../src/router/10-ops/tracing.js';
import { createOtelTracing } from '../src/router/10-ops/tracing-otel.js';
import type { InboundMessage } from '../src/router/02-transport/inbound-message.js';

const N = Number(process.env.BENCH_COUNT ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STAGES: StageName[] = [
  'validate',
  'route',
  'record',
  'careplan',
  'correlate',
  'deliver',
  'answer',
  'quarantine',
  'complete',
];

const msg = {
  body: Buffer.alloc(3000),
  properties: { headers: {}, messageId: 'm' },
  exchange: 'itk.inbound',
  routingKey: '',
  deliveryTag: 1,
} as unknown as InboundMessage;
let sink = 0;
const work = (i: number) => (sink = (sink + i) | 0);
const inner: Publisher = { publish: async () => undefined };

/** The pipeline's shape with no facade (before tracing). */
async function plain(i: number): Promise<void> {
  for (let s = 0; s < STAGES.length; s++) work(i);
  await inner.publish('itk.deliver', 'x', msg.body, { headers: {} });
  await inner.publish('itk.deliver', 'y', msg.body, { headers: {} });
}

function traced(t: Tracing): (i: number) => Promise<void> {
  const publisher = t.publisher(inner);
  return (i) =>
    t.consume(msg, async () => {
      for (const name of STAGES) t.stage(name, () => work(i));
      t.annotate({ 'itk.tracking_id': 'T', 'itk.service': 'S', 'itk.sender': 'E' });
      await publisher.publish('itk.deliver', 'x', msg.body, { headers: {} });
      await publisher.publish('itk.deliver', 'y', msg.body, { headers: {} });
      t.annotate({ 'itk.outcome': 'delivered' });
    });
}

const dropAll: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

async function time(run: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await run(i);
  return ((performance.now() - t0) * 1e6) / N;
}

const on = createOtelTracing({ processors: [dropAll] });
const cases: [string, (i: number) => Promise<void>][] = [
  ['no facade (before)', plain],
  ['tracing off (NO_TRACING)', traced(NO_TRACING)],
  ['tracing on (SDK, spans dropped)', traced(on)],
];
const results = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, run] of cases) await time(run); // warm up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of cases) results.get(name)!.push(await time(run));
}
await on.shutdown();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`tracing overhead, ${N} messages x ${ROUNDS} interleaved rounds (median ns/message)`);
for (const [name, xs] of results) {
  console.log(
    `  ${name.padEnd(34)} ${median(xs).toFixed(0).padStart(8)} ns   rounds: ${xs.map((x) => x.toFixed(0)).join(' ')}`,
  );
}
console.log(`(sink ${sink})`);
