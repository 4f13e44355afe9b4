/**
 * The processing lease: which router instance is working on a message, and until when. Several
 * instances consume the same queue, so two copies of one (sender, tracking id) can reach two
 * instances at once. `begin` records the claim of the instance that begins (or takes over) a
 * message; another instance that begins it while that claim is live is told so (`heldBy`) and
 * retries later, instead of mistaking it for a crash redelivery and delivering it again. A claim
 * that ran out means its holder died (or stalled): the next instance takes the message over and
 * finishes it, skipping the deliveries already confirmed. `complete` clears the claim.
 *
 * Times are the caller's (`IncomingMessage.receivedAt`, the time of the attempt), as every time
 * the store records is: the store never reads a clock. Instances' clocks must agree to well within
 * the lease (NTP does).
 */
import { randomUUID } from 'node:crypto';
import { StoreError } from './store-error.js';

/** How long a claim holds unless its holder begins the message again: 30 s. */
export const DEFAULT_LEASE_MS = 30_000;

/** Who claims the messages a store begins, and for how long. */
export interface LeaseOptions {
  /** The router instance this store acts for. Default: a fresh uuid, so each store is its own. */
  readonly instanceId?: string;
  /**
   * How long a claim holds, in ms (default {@link DEFAULT_LEASE_MS}). 0: claims lapse at once,
   * for a store only one instance uses, so a restarted router takes over its predecessor's
   * unfinished messages without waiting.
   */
  readonly leaseMs?: number;
}

/** A live claim on a message by a router instance. */
export interface ProcessingClaim {
  readonly instanceId: string;
  readonly until: Date;
}

export class ProcessingLease {
  readonly instanceId: string;
  readonly ms: number;

  constructor(options: LeaseOptions = {}) {
    const ms = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new StoreError('invalid-argument', `leaseMs must be a whole number ≥ 0, not ${ms}`);
    if (options.instanceId !== undefined && options.instanceId.trim() === '')
      throw new StoreError('invalid-argument', 'instanceId must not be empty');
    this.instanceId = options.instanceId ?? randomUUID();
    this.ms = ms;
  }

  /** The end of the claim this instance takes at `now`. */
  until(now: Date): Date {
    return new Date(now.getTime() + this.ms);
  }

  /**
   * The claim that stops this instance from taking an unfinished message over at `now`: another
   * instance's, not yet run out. Undefined when the message is free, this instance's own (its
   * previous attempt has ended: one process serialises the copies of a message), or expired.
   */
  heldElsewhere(
    claimedBy: string | null,
    claimUntil: Date | null,
    now: Date,
  ): ProcessingClaim | undefined {
    if (claimedBy === null || claimUntil === null || claimedBy === this.instanceId)
      return undefined;
    return now.getTime() < claimUntil.getTime()
      ? { instanceId: claimedBy, until: claimUntil }
      : undefined;
  }
}
