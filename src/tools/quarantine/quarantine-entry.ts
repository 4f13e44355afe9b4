/**
 * A message on the quarantine queue as the ops tool sees it (pure: no broker, no store).
 *
 * Its short id is a digest of what makes it that entry (the bytes and the reason headers), so it
 * is the same in every listing while the entry stays on the queue, whatever its position or how
 * often it has been browsed. Two entries alike in every byte share a digest; the second in queue
 * order is `<digest>-2`, and so on.
 */
import { createHash } from 'node:crypto';
import { headerText } from '../../router/09-pipeline/replay-trust.js';

/** The quarantine headers the router writes (docs/contract.md, AMQP contract). */
export const QUARANTINE_HEADER = {
  code: 'itk-error-code',
  text: 'itk-error-text',
  sender: 'itk-sender',
  trackingId: 'itk-tracking-id',
  /** Written by the ops tool when it refreshes a dead-lettered copy (its user_id cannot be re-sent). */
  originalUser: 'itk-original-user',
} as const;

/** What the broker hands over for one message (amqplib's GetMessage has this shape). */
export interface QuarantinedMessage {
  readonly content: Buffer;
  readonly properties: {
    readonly headers?: Record<string, unknown> | undefined;
    readonly contentType?: unknown;
    readonly userId?: unknown;
    readonly messageId?: unknown;
    readonly timestamp?: unknown;
  };
}

/** How the broker dead-lettered a message (the first `x-death` entry), when it did. */
export interface DeadLettering {
  readonly reason?: string;
  readonly queue?: string;
  readonly at?: Date;
}

export interface QuarantineEntry {
  /** Short id, stable while the entry stays on the queue. */
  readonly id: string;
  /** 1-based position in this listing (queue order); changes as entries come and go. */
  readonly position: number;
  readonly code?: string;
  readonly text?: string;
  /** `itk-sender`: the sending end point id (or broker user) when known. */
  readonly sender?: string;
  /** `itk-tracking-id`, else the tracking id read from the envelope header, when any. */
  readonly trackingId?: string;
  /** The key the router recorded the message under when it had no readable tracking id. */
  readonly unreadableKey: string;
  /** The AMQP user_id the message still carries (a copy dead-lettered by the broker), when any. */
  readonly originalUser?: string;
  readonly size: number;
  /**
   * Times the broker has handed it out and had it back (`x-delivery-count`, or RabbitMQ 4's
   * `x-acquired-count` when higher): on a quorum queue every browse adds one.
   */
  readonly deliveryCount: number;
  readonly deadLettered?: DeadLettering;
  readonly contentType?: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
}

const str = (v: unknown): string | undefined => {
  const s = headerText(v);
  return s === undefined || s === '' ? undefined : s;
};

/** The store key of a message without a readable tracking id (as process-message.ts makes it). */
export const unreadableKey = (body: Buffer): string =>
  `unreadable-${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;

const TRACKING_ID_IN_HEADER =
  /<(?:[\w.-]+:)?header\b[^>]*?\btrackingid\s*=\s*["']([^"'<>]{1,200})["']/;

/** The DE header's tracking id, read cheaply from the first 64 KiB (for entries without the header). */
export function sniffTrackingId(body: Buffer): string | undefined {
  return TRACKING_ID_IN_HEADER.exec(body.subarray(0, 65536).toString('utf8'))?.[1];
}

/** The entry's digest: its bytes and its reason headers. */
export function entryDigest(m: QuarantinedMessage): string {
  const h = m.properties.headers ?? {};
  const hash = createHash('sha256');
  for (const key of [
    QUARANTINE_HEADER.code,
    QUARANTINE_HEADER.text,
    QUARANTINE_HEADER.sender,
    QUARANTINE_HEADER.trackingId,
  ]) {
    hash.update(str(h[key]) ?? '').update('\0');
  }
  return hash.update(m.content).digest('hex').slice(0, 10);
}

const numberOf = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'value' in v) return numberOf((v as { value: unknown }).value);
  return 0;
};

/** A timestamp header or property (seconds since the epoch) as a Date. */
export function amqpTime(v: unknown): Date | undefined {
  const seconds = numberOf(v);
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}

function deadLettering(h: Readonly<Record<string, unknown>>): DeadLettering | undefined {
  const deaths = h['x-death'];
  if (!Array.isArray(deaths) || deaths.length === 0) return undefined;
  const d = deaths[0] as Record<string, unknown>;
  const at = amqpTime(d['time']);
  const reason = str(d['reason']);
  const queue = str(d['queue']);
  return { ...(reason ? { reason } : {}), ...(queue ? { queue } : {}), ...(at ? { at } : {}) };
}

/** The entries of a listing, in queue order, with their ids. */
export function toEntries(messages: readonly QuarantinedMessage[]): QuarantineEntry[] {
  const seen = new Map<string, number>();
  return messages.map((m, i) => {
    const h = m.properties.headers ?? {};
    const digest = entryDigest(m);
    const n = (seen.get(digest) ?? 0) + 1;
    seen.set(digest, n);
    const code = str(h[QUARANTINE_HEADER.code]);
    const text = str(h[QUARANTINE_HEADER.text]);
    const sender = str(h[QUARANTINE_HEADER.sender]);
    const trackingId = str(h[QUARANTINE_HEADER.trackingId]) ?? sniffTrackingId(m.content);
    const originalUser = str(m.properties.userId) ?? str(h[QUARANTINE_HEADER.originalUser]);
    const contentType = str(m.properties.contentType);
    const dead = deadLettering(h);
    return {
      id: n === 1 ? digest : `${digest}-${n}`,
      position: i + 1,
      ...(code ? { code } : {}),
      ...(text ? { text } : {}),
      ...(sender ? { sender } : {}),
      ...(trackingId ? { trackingId } : {}),
      unreadableKey: unreadableKey(m.content),
      ...(originalUser ? { originalUser } : {}),
      size: m.content.byteLength,
      deliveryCount: Math.max(numberOf(h['x-delivery-count']), numberOf(h['x-acquired-count'])),
      ...(dead ? { deadLettered: dead } : {}),
      ...(contentType ? { contentType } : {}),
      headers: h,
      body: m.content,
    };
  });
}

/** Why an entry is quarantined, in one line (a dead-lettered copy has no itk-error headers). */
export function reasonOf(e: QuarantineEntry): { code: string; text: string } {
  if (e.code || e.text) return { code: e.code ?? '-', text: e.text ?? '' };
  if (e.deadLettered) {
    const from = e.deadLettered.queue ? ` from ${e.deadLettered.queue}` : '';
    return {
      code: '2100',
      text: `dead-lettered by the broker${from} (${e.deadLettered.reason ?? 'unknown reason'})`,
    };
  }
  return { code: '-', text: '' };
}

export type Selection =
  | { readonly ok: true; readonly entries: readonly QuarantineEntry[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The entries that `selectors` name, each exactly once, in queue order. A selector is an entry
 * id, a unique prefix of one (4 characters at least), or a tracking id (any case) that exactly
 * one entry carries. Anything else (no match, or several) is a problem; nothing is selected then.
 */
export function selectEntries(
  entries: readonly QuarantineEntry[],
  selectors: readonly string[],
): Selection {
  const chosen = new Set<QuarantineEntry>();
  const problems: string[] = [];
  for (const raw of selectors) {
    const s = raw.trim();
    const exact = entries.filter((e) => e.id === s);
    const byPrefix = s.length >= 4 ? entries.filter((e) => e.id.startsWith(s)) : [];
    const byTracking = entries.filter((e) => e.trackingId?.toUpperCase() === s.toUpperCase());
    const found = exact.length > 0 ? exact : byPrefix.length > 0 ? byPrefix : byTracking;
    if (found.length === 1) chosen.add(found[0]!);
    else if (found.length === 0) problems.push(`no quarantine entry ${s}`);
    else
      problems.push(
        `${s} names ${found.length} entries (${found.map((e) => e.id).join(', ')}): use an id`,
      );
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, entries: entries.filter((e) => chosen.has(e)) };
}
