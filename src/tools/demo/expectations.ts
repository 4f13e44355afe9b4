/**
 * What a scene of the day expects to arrive, and the watch that ticks each expectation off as
 * messages arrive. A message no expectation wants is unexpected: the day did not play as planned.
 */
import type { Journal, SentNote } from './journal.js';
import type { Arrival, ArrivalKind } from './read-arrival.js';

export interface Expected {
  /** Receiving end point id. */
  readonly to: string;
  /** Sending end point id, or `router`. */
  readonly from: string;
  readonly kind: ArrivalKind;
  /** For the report when it does not arrive: "the care plan, version 1, as a copy". */
  readonly what: string;
  /** Further conditions: on the arrival and, for an ack, on the message it names. */
  readonly test?: (arrival: Arrival, about: SentNote | undefined) => boolean;
}

export class SceneWatch {
  private readonly pending: Expected[];
  private resolveDone!: () => void;
  /** Resolves once every expected message has arrived. */
  readonly done: Promise<void>;

  constructor(
    expected: readonly Expected[],
    private readonly journal: Journal,
  ) {
    this.pending = [...expected];
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    if (this.pending.length === 0) this.resolveDone();
  }

  /** Ticks off the first expectation the arrival meets; false when none wants it. */
  offer(a: Arrival): boolean {
    const about = this.journal.sentAs(a.ack?.ref);
    const i = this.pending.findIndex(
      (e) =>
        e.to === a.to && e.from === a.from && e.kind === a.kind && (e.test?.(a, about) ?? true),
    );
    if (i === -1) return false;
    this.pending.splice(i, 1);
    if (this.pending.length === 0) this.resolveDone();
    return true;
  }

  get missing(): readonly Expected[] {
    return this.pending;
  }
}
