/**
 * Every message that arrives at a queue the harness reads (the end points it plays, and the
 * quarantine when allowed), in arrival order. Steps look for the first unclaimed message that
 * matches and claim it; what nobody claims stays visible to the report.
 */

/** One message as it arrived. */
export interface Arrived {
  /** Arrival order across every queue, from 1. */
  readonly seq: number;
  /** `Date.now()` at arrival. */
  readonly at: number;
  /** The end point id whose queue it came from, or `quarantine`. */
  readonly where: string;
  readonly queue: string;
  readonly body: Buffer;
  /** The AMQP properties that were set (messageId, type, appId, contentType, deliveryMode, userId, …). */
  readonly properties: Readonly<Record<string, string | number>>;
  /** AMQP headers, as strings (on web services: the SOAP and HTTP headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** What it is, when the validator cannot say (an HTTP answer). */
  readonly summary?: string;
}

export class Mailroom {
  private readonly arrived: Arrived[] = [];
  private readonly claimed = new Map<number, string>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;

  /** The sequence number the next arrival will get. */
  get next(): number {
    return this.seq + 1;
  }

  add(message: Omit<Arrived, 'seq' | 'at'>): Arrived {
    const arrived = Object.freeze({ ...message, seq: ++this.seq, at: Date.now() });
    this.arrived.push(arrived);
    for (const wake of this.waiters) wake();
    return arrived;
  }

  /** Messages that arrived from `fromSeq` on (claimed or not), at `where` if given. */
  since(fromSeq: number, where?: readonly string[]): Arrived[] {
    return this.arrived.filter(
      (m) => m.seq >= fromSeq && (where === undefined || where.includes(m.where)),
    );
  }

  claimedBy(seq: number): string | undefined {
    return this.claimed.get(seq);
  }

  claim(message: Arrived, by: string): void {
    this.claimed.set(message.seq, by);
  }

  /**
   * The first unclaimed message from `fromSeq` on at `where` for which `accept` holds, waiting
   * for new arrivals until `deadline` (a `Date.now()` value). Not claimed: the caller decides.
   */
  async waitFor(
    fromSeq: number,
    where: readonly string[],
    accept: (message: Arrived) => boolean,
    deadline: number,
  ): Promise<Arrived | undefined> {
    let checked = fromSeq;
    for (;;) {
      for (const m of this.arrived) {
        if (m.seq < checked || !where.includes(m.where) || this.claimed.has(m.seq)) continue;
        if (accept(m)) return m;
      }
      checked = Math.max(fromSeq, this.seq + 1);
      const wait = deadline - Date.now();
      if (wait <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, wait);
        this.waiters.add(wake);
      });
    }
  }
}
