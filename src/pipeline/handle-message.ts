/**
 * The message handler the consumer calls: runs the pipeline (process-message.ts) and settles the
 * inbound delivery by the outcome's disposition. A failure is retried with backoff, then, after
 * `retry.attempts` deliveries (the quorum queue's x-delivery-count), quarantined with 2100.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { quarantine } from '../delivery/outbound.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import { DISPOSITIONS } from './dispositions.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { processMessage } from './process-message.js';

export type { PipelineDeps, PipelineMetrics } from './pipeline-deps.js';

const deliveryCount = (msg: InboundMessage): number => {
  const n = msg.properties.headers['x-delivery-count'];
  return typeof n === 'number' ? n : 0;
};

export function createMessageHandler(
  deps: PipelineDeps,
): (msg: InboundMessage) => Promise<'ack' | 'reject'> {
  const now = deps.now ?? (() => new Date());
  return async (msg) => {
    const started = performance.now();
    try {
      const { kind, service, codes } = await processMessage(deps, msg, now());
      deps.metrics?.observe(kind, service, (performance.now() - started) / 1000, codes);
      return DISPOSITIONS[kind].settle === 'ack' ? 'ack' : 'reject';
    } catch (err) {
      const attempt = deliveryCount(msg) + 1;
      const text = `processing failed (attempt ${attempt} of ${deps.retry.attempts}): ${(err as Error).message}`;
      deps.log.warn('message processing failed', {
        attempt,
        error: (err as Error).message,
        messageId: msg.properties.messageId,
      });
      if (attempt < deps.retry.attempts) {
        await sleep(
          Math.min(deps.retry.maxDelayMs, deps.retry.initialDelayMs * 2 ** (attempt - 1)),
        );
        deps.metrics?.observe('retry', 'unknown', (performance.now() - started) / 1000, ['2100']);
        return 'reject';
      }
      await quarantine(deps.publisher, deps.names, msg.body, {
        code: '2100',
        text,
        ...(msg.properties.userId ? { sender: msg.properties.userId } : {}),
      });
      deps.log.error('message quarantined after repeated failures', {
        attempt,
        error: (err as Error).message,
      });
      deps.metrics?.observe('poison', 'unknown', (performance.now() - started) / 1000, ['2100']);
      return 'ack';
    }
  };
}
