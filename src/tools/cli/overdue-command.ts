/**
 * `itk-router overdue`: the acks the router is still waiting for past their deadline (ack
 * timeouts, store/ack-expectations.ts): tracking id, sender, which ack, from which recipients,
 * how late. The router's ack-overdue watch marks them; this reads the store.
 */
import type { Command } from 'commander';
import { wholeNumber } from './numeric-option.js';
import { loadRouterConfig } from '../../router/01-config/index.js';
import type { AckKind, OverdueAck } from '../../router/08-store/ack-expectations.js';
import { openStore } from '../../router/08-store/open-store.js';

/** One message's missing ack of one kind, from each recipient that has not sent it. */
export interface OverdueLine {
  readonly trackingId: string;
  readonly sender: string | null;
  readonly service: string;
  readonly ack: AckKind;
  readonly recipients: readonly string[];
  readonly dueAt: Date;
  readonly lateSeconds: number;
}

export function groupOverdue(acks: readonly OverdueAck[], now: Date): OverdueLine[] {
  const lines = new Map<string, OverdueLine>();
  for (const a of acks) {
    const key = `${a.messageId} ${a.kind}`;
    const line = lines.get(key);
    const dueAt = line && line.dueAt < a.dueAt ? line.dueAt : a.dueAt;
    lines.set(key, {
      trackingId: a.trackingId,
      sender: a.senderEndpointId,
      service: a.service,
      ack: a.kind,
      recipients: [...(line?.recipients ?? []), a.endpointId],
      dueAt,
      lateSeconds: Math.max(0, Math.floor((now.getTime() - dueAt.getTime()) / 1000)),
    });
  }
  return [...lines.values()].sort((a, b) => b.lateSeconds - a.lateSeconds);
}

/** `45s`, `3m 10s`, `2h 5m`, `3d 4h`. */
export function formatLate(seconds: number): string {
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.floor(seconds));
  for (const [name, size] of units) {
    if (rest >= size || (name === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

const time = (d: Date) =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

export function formatOverdue(lines: readonly OverdueLine[]): string {
  if (lines.length === 0) return 'no acknowledgement is overdue\n';
  const rows = [
    ['TRACKING ID', 'SENDER', 'ACK', 'FROM (NOT RECEIVED)', 'DUE', 'LATE'],
    ...lines.map((l) => [
      l.trackingId,
      l.sender ?? '(unknown)',
      l.ack,
      l.recipients.join(', '),
      time(l.dueAt),
      formatLate(l.lateSeconds),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + `\n${lines.length} overdue\n`
  );
}

export function registerOverdue(program: Command): void {
  program
    .command('overdue')
    .description(
      'list the acks past their deadline and not received: who waits, for what, how late',
    )
    .option('-c, --config <file>', 'router config (for the store)')
    .option('--limit <n>', 'at most this many missing acks', wholeNumber(1), 1000)
    .option('--json', 'print the list as JSON')
    .action(async (options: { config?: string; limit: number; json?: boolean }) => {
      const config = loadRouterConfig(options.config, process.env);
      const store = await openStore(config.store, {}, { existing: true });
      try {
        const lines = groupOverdue(await store.acks.overdue(options.limit), new Date());
        process.stdout.write(
          options.json ? JSON.stringify(lines, null, 2) + '\n' : formatOverdue(lines),
        );
      } finally {
        await store.close();
      }
    });
}
