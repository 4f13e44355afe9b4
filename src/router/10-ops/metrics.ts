/** Prometheus metrics (prom-client), `itk_` prefix, on a registry of the router's own. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PipelineMetrics } from '../09-pipeline/handle-message.js';
import type { Backlog } from './queue-backlog.js';
import { withTimeout } from '../00-common/with-timeout.js';

export interface RouterMetrics extends PipelineMetrics {
  readonly registry: Registry;
}

/** How long a scrape waits for a source (broker, store) before reporting it unavailable. */
export const SOURCE_TIMEOUT_MS = 1000;

export interface MetricSources {
  /**
   * Messages waiting on the quarantine queue, read at each scrape; `NaN` (unavailable) when it
   * fails or takes longer than {@link SOURCE_TIMEOUT_MS} (the broker is down, say).
   */
  readonly quarantineDepth?: () => Promise<number>;
  /** Whether the broker connection is up now (`itk_broker_connected` 1 or 0). */
  readonly brokerConnected?: () => boolean;
  /** Expected acks overdue now (marked, not received), by kind, read from the store at each scrape. */
  readonly acksOverdue?: () => Promise<Readonly<Record<'inf' | 'bus', number>>>;
  /** What /readyz answers: undefined when ready, else why not (read at each scrape). */
  readonly notReady?: () => Promise<string | undefined>;
  /** Messages waiting on the inbound queue and on each end point's queue (undefined: unknown now). */
  readonly backlog?: () => Promise<Backlog | undefined>;
}

/**
 * Node's event-loop delay histogram reports its minimum as 2^63-1 ns (9223372036.85 s) before its
 * first sample (just after start, or two scrapes in quick succession): reported as NaN (no
 * value) instead of a lag of 292 years.
 */
const NO_SAMPLE_SECONDS = 9e9;
function unsampledLagMinAsNaN(registry: Registry): void {
  const metric = registry.getSingleMetric('itk_nodejs_eventloop_lag_min_seconds');
  if (!metric) return;
  const get = metric.get.bind(metric);
  metric.get = async () => {
    const got = await get();
    return {
      ...got,
      values: got.values.map((v) => (v.value >= NO_SAMPLE_SECONDS ? { ...v, value: NaN } : v)),
    };
  };
}

export function createMetrics(sources: MetricSources = {}): RouterMetrics {
  const registry = new Registry();
  const { quarantineDepth } = sources;
  if (quarantineDepth) {
    new Gauge({
      name: 'itk_quarantine_depth',
      help: 'Messages waiting on the quarantine queue',
      registers: [registry],
      async collect() {
        const depth = withTimeout(quarantineDepth(), SOURCE_TIMEOUT_MS, 'quarantine depth');
        this.set(await depth.catch(() => NaN));
      },
    });
  }
  const { brokerConnected } = sources;
  if (brokerConnected) {
    new Gauge({
      name: 'itk_broker_connected',
      help: 'Whether the broker connection is up (1) or down or reconnecting (0)',
      registers: [registry],
      collect() {
        this.set(brokerConnected() ? 1 : 0);
      },
    });
  }
  const { acksOverdue } = sources;
  if (acksOverdue) {
    new Gauge({
      name: 'itk_acks_overdue',
      help: 'Expected acks past their deadline and not received, by ack (inf, bus)',
      labelNames: ['ack'],
      registers: [registry],
      async collect() {
        // a store that cannot answer now keeps the last counts rather than failing the scrape
        const counts = await withTimeout(acksOverdue(), SOURCE_TIMEOUT_MS, 'acks overdue').catch(
          () => undefined,
        );
        for (const [ack, n] of Object.entries(counts ?? {})) this.set({ ack }, n);
      },
    });
  }
  const { notReady, backlog } = sources;
  if (notReady) {
    new Gauge({
      name: 'itk_ready',
      help: '1 when /readyz answers ready (broker connected, store answering), else 0',
      registers: [registry],
      async collect() {
        this.set((await notReady().catch((err: Error) => err.message)) === undefined ? 1 : 0);
      },
    });
  }
  if (backlog) {
    // One broker round per scrape for both gauges (prom-client collects them at once); a failed
    // or skipped read keeps the last figures.
    let last: Backlog | undefined;
    let pending: Promise<Backlog | undefined> | undefined;
    const read = () =>
      (pending ??= backlog()
        .catch(() => undefined)
        .then((now) => (last = now ?? last))
        .finally(() => (pending = undefined)));
    new Gauge({
      name: 'itk_inbound_backlog',
      help: 'Messages waiting on the router inbound queue (every instance reports the same queue)',
      registers: [registry],
      async collect() {
        const now = await read();
        if (now?.inbound !== undefined) this.set(now.inbound);
      },
    });
    new Gauge({
      name: 'itk_endpoint_backlog',
      help: 'Messages waiting on each end point queue, not yet taken by its system',
      labelNames: ['endpoint'],
      registers: [registry],
      async collect() {
        const now = await read();
        if (!now) return;
        this.reset();
        for (const [endpoint, n] of Object.entries(now.endpoints)) this.set({ endpoint }, n);
      },
    });
  }
  collectDefaultMetrics({ register: registry, prefix: 'itk_' });
  unsampledLagMinAsNaN(registry);
  const messages = new Counter({
    name: 'itk_messages_total',
    help: 'Messages processed, by service (a known or configured service, else other) and outcome',
    labelNames: ['service', 'outcome'],
    registers: [registry],
  });
  const nacks = new Counter({
    name: 'itk_nacks_total',
    help: 'Error codes sent back or recorded, by ITK error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const quarantined = new Counter({
    name: 'itk_quarantined_total',
    help: 'Messages put on the quarantine queue since start',
    registers: [registry],
  });
  const outageRetries = new Counter({
    name: 'itk_outage_retries_total',
    help: 'In-place retries of a message because the store or the broker was unavailable',
    registers: [registry],
  });
  const retryingInPlace = new Gauge({
    name: 'itk_outage_retrying_messages',
    help: 'Messages being retried in place now (the store or the broker unavailable)',
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'itk_message_duration_seconds',
    help: 'Time from receipt to the inbound ack decision, by outcome',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    retriedInPlace: () => outageRetries.inc(),
    retryingInPlace: (count) => retryingInPlace.set(count),
    observe(outcome, service, seconds, errorCodes) {
      messages.inc({ service, outcome });
      for (const code of errorCodes) nacks.inc({ code });
      if (
        [
          'unreadable',
          'unknown-sender',
          'forbidden-sender',
          'failed-acknowledgement',
          'poison',
        ].includes(outcome)
      )
        quarantined.inc();
      latency.observe({ outcome }, seconds);
    },
  };
}
