/**
 * The load side of the router benchmark: publishes 3 KB notifications as a supplier (fresh
 * tracking id each, the send time in a header) and measures, at the destination queue, how many
 * arrive per second and each one's end-to-end latency.
 */
import { connect, type ConfirmChannel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadResult {
  readonly sent: number;
  /** How many of this run's messages arrived (each counted once). */
  readonly received: number;
  /** Second copies of this run's messages (at-least-once: a forwarder stopped mid-flight). */
  readonly duplicates: number;
  readonly msgPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function openConfirm(
  url: string,
): Promise<{ channel: ConfirmChannel; close: () => Promise<void> }> {
  const connection = await connect(url, { noDelay: true });
  connection.on('error', () => undefined);
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  return { channel, close: () => connection.close().catch(() => undefined) };
}

export interface LoadOptions {
  readonly senderUrl: string;
  readonly senderUser: string;
  readonly receiverUrl: string;
  readonly exchange: string;
  readonly destinationQueue: string;
  readonly template: string;
  readonly count: number;
  /** Messages per second; 0 = as fast as confirms allow (a window of 200 in flight). */
  readonly rate: number;
  readonly timeoutMs: number;
  /** Sends one message another way (a web-service call, say) instead of publishing it. */
  readonly send?: (body: Buffer) => Promise<void>;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const sender = await openConfirm(o.senderUrl);
  const receiver = await openConfirm(o.receiverUrl);
  const latencies: number[] = [];
  // This run's tracking ids not yet seen at the destination: a copy left over from an earlier
  // run is not counted, a second copy of this run's message is a duplicate.
  const awaited = new Set<string>();
  let duplicates = 0;
  let lastReceived = 0;
  const done = new Promise<void>((resolve) => {
    void receiver.channel.prefetch(500);
    void receiver.channel.consume(o.destinationQueue, (msg) => {
      if (!msg) return;
      receiver.channel.ack(msg);
      const text = msg.content.toString('latin1');
      const trackingId = /trackingid="([^"]+)"/.exec(text)?.[1] ?? '';
      if (!awaited.delete(trackingId)) {
        if (sentIds.has(trackingId)) duplicates++;
        return;
      }
      lastReceived = performance.now();
      const sentAt = Number(/<title>sent (\d+(?:\.\d+)?) /.exec(text)?.[1]);
      latencies.push(performance.timeOrigin + lastReceived - sentAt);
      if (latencies.length >= o.count) resolve();
    });
  });
  // The send time travels in the plan title: the router forwards the bytes unchanged.
  const sentIds = new Set<string>();
  const payload = () => {
    const trackingId = randomUUID().toUpperCase();
    sentIds.add(trackingId);
    awaited.add(trackingId);
    return Buffer.from(
      o.template
        .replace(/trackingid="[^"]+"/, `trackingid="${trackingId}"`)
        // each notification creates a plan of its own: the care-plan index refuses a second `created`
        .replace(/<planId>[^<]+<\/planId>/, `<planId>${randomUUID().toUpperCase()}</planId>`)
        .replace(/<event>[^<]+<\/event>/, '<event>created</event>')
        .replace(
          '<title>',
          `<title>sent ${(performance.timeOrigin + performance.now()).toFixed(3)} `,
        ),
    );
  };
  const firstSent = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < o.count; i++) {
    if (o.rate > 0) {
      const due = firstSent + (i * 1000) / o.rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    const body = payload();
    inFlight.push(
      o.send?.(body) ??
        new Promise<void>((resolve, reject) =>
          sender.channel.publish(
            o.exchange,
            '',
            body,
            { persistent: true, userId: o.senderUser, contentType: 'application/xml' },
            (err) => (err ? reject(err as Error) : resolve()),
          ),
        ),
    );
    if (inFlight.length >= 200) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await Promise.race([done, sleep(o.timeoutMs)]);
  await sender.close();
  await receiver.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const seconds = (lastReceived - firstSent) / 1000;
  return {
    sent: o.count,
    received: latencies.length,
    duplicates,
    msgPerSec: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}
