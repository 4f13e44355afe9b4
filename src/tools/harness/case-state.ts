/**
 * The state of one case while it runs: its placeholder values, what it sent, which arrivals its
 * steps matched; and, at the end, the transcript of every message exchanged, in time order.
 */
import type { CheckResult } from './checks.js';
import { summarize } from './describe-message.js';
import type { Arrived } from './mailroom.js';
import { QUARANTINE } from './model.js';
import type { Exchanged, StepStatus } from './results.js';
import type { PackContext } from './run-context.js';
import { TemplateScope } from './template.js';
import { deElement } from './soap-request.js';

/** A message this case sent. */
export interface SentMessage {
  readonly id: string;
  /** The end point it was sent as (or `$ops`), and the pack role. */
  readonly endpoint: string;
  readonly role: string;
  readonly user: string;
  readonly userIdSet: boolean;
  readonly body: Buffer;
  readonly at: number;
  /** The last arrival's mailroom seq when it was sent: orders it among the arrivals. */
  readonly afterSeq: number;
  readonly trackingId?: string;
  readonly service?: string;
  /** The first manifest item's id. */
  readonly payloadId?: string;
  /** Which step sent it. */
  readonly step: number;
  /** Sent on web services: the SOAP request as sent, its HTTP headers, and the certificate. */
  readonly wire?: {
    readonly url: string;
    readonly request: Buffer;
    readonly headers: Readonly<Record<string, string>>;
    readonly certificate: string;
  };
}

/** A reference to a message of the transcript: one sent, or one arrival by its mailroom seq. */
export type MessageRef = { readonly sent: number } | { readonly mail: number };

/** What one step did. */
export interface StepOutcome {
  readonly status: StepStatus;
  readonly title: string;
  readonly detail?: string;
  readonly checks?: readonly CheckResult[];
  readonly messages?: readonly MessageRef[];
  /** Set when the step failed: what to say, and the message to show as the cause. */
  readonly failure?: { readonly summary: string; readonly offending?: MessageRef };
}

export class CaseState {
  readonly t0 = Date.now();
  readonly startSeq: number;
  readonly scope: TemplateScope;
  readonly sent: SentMessage[] = [];
  private readonly claims = new Map<number, number>();

  constructor(
    readonly ctx: PackContext,
    base: Readonly<Record<string, unknown>> = ctx.values,
  ) {
    this.startSeq = ctx.session.mail.next;
    this.scope = new TemplateScope({ ...base, sent: {}, captured: {} });
  }

  get captured(): Record<string, string> {
    return this.scope.values.captured as Record<string, string>;
  }

  sentById(id: string): SentMessage | undefined {
    return this.sent.find((s) => s.id === id);
  }

  get lastSent(): SentMessage | undefined {
    return this.sent.at(-1);
  }

  addSent(message: SentMessage): MessageRef {
    this.sent.push(message);
    (this.scope.values.sent as Record<string, unknown>)[message.id] = {
      trackingId: message.trackingId ?? '',
      service: message.service ?? '',
      payloadId: message.payloadId ?? '',
      body: message.body.toString('utf8'),
      de: deElement(message.body.toString('utf8')),
      as: message.endpoint,
    };
    return { sent: this.sent.length - 1 };
  }

  /** Tracking ids this case sent. */
  trackingIds(): string[] {
    return this.sent.flatMap((s) => (s.trackingId ? [s.trackingId] : []));
  }

  claim(message: Arrived, step: number): MessageRef {
    this.ctx.session.mail.claim(message, `${step}`);
    this.claims.set(message.seq, step);
    return { mail: message.seq };
  }

  /** Where (mailroom names) a role or `quarantine` is read. */
  whereOf(role: string): string {
    return role === QUARANTINE ? QUARANTINE : this.ctx.endpointOf(role);
  }

  /** Every message sent and every arrival since the case started, numbered in time order. */
  transcript(offending?: MessageRef): {
    messages: Exchanged[];
    numberOf(ref: MessageRef): number | undefined;
  } {
    const { session, validator } = this.ctx;
    // ordered by arrival seq; a send sits after the arrivals that came before it
    const rows: { order: number; ref: MessageRef; make: (n: number) => Exchanged }[] = [];
    this.sent.forEach((s, i) => {
      const ref = { sent: i };
      const described = summarize(s.body, validator);
      const noProperties: Readonly<Record<string, string | number>> = {};
      rows.push({
        order: s.afterSeq + 0.5 + i / 1e6,
        ref,
        make: (n) => ({
          n,
          direction: 'sent',
          atMs: s.at - this.t0,
          time: new Date(s.at).toISOString(),
          endpoint: s.endpoint,
          role: s.role,
          ...(s.wire
            ? {
                queue: `POST ${s.wire.url}`,
                body: s.wire.request.toString('utf8'),
                bytes: s.wire.request.length,
                properties: { transport: 'https', certificate: s.wire.certificate },
                headers: s.wire.headers,
                ...described,
                summary: `SOAP call: ${described.summary}`,
              }
            : {
                brokerUser: s.user,
                userIdSet: s.userIdSet,
                body: s.body.toString('utf8'),
                bytes: s.body.length,
                properties: noProperties,
                headers: {},
                ...described,
              }),
          step: s.step,
          ...(offending && 'sent' in offending && offending.sent === i ? { offending: true } : {}),
        }),
      });
    });
    for (const m of session.mail.since(this.startSeq)) {
      const ref = { mail: m.seq };
      const role = m.where === QUARANTINE ? undefined : this.ctx.roleOf(m.where);
      const step = this.claims.get(m.seq);
      rows.push({
        order: m.seq,
        ref,
        make: (n) => ({
          n,
          direction: 'received',
          atMs: m.at - this.t0,
          time: new Date(m.at).toISOString(),
          endpoint: m.where,
          ...(role ? { role } : {}),
          queue: m.queue,
          body: m.body.toString('utf8'),
          bytes: m.body.length,
          properties: m.properties,
          headers: m.headers,
          ...(m.summary !== undefined
            ? { summary: m.summary, valid: true, problems: [] }
            : summarize(m.body, validator)),
          ...(step !== undefined ? { step } : {}),
          ...(offending && 'mail' in offending && offending.mail === m.seq
            ? { offending: true }
            : {}),
        }),
      });
    }
    rows.sort((a, b) => a.order - b.order);
    const numbers = new Map<string, number>();
    const key = (ref: MessageRef) => ('sent' in ref ? `s${ref.sent}` : `m${ref.mail}`);
    const messages = rows.map((row, i) => {
      numbers.set(key(row.ref), i + 1);
      return row.make(i + 1);
    });
    return { messages, numberOf: (ref) => numbers.get(key(ref)) };
  }
}
