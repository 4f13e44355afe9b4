/**
 * What the simulated systems have sent, by tracking id, so that an acknowledgement can be told in
 * words ("received: the care plan 'Anticipatory care plan', version 1") and checked against the
 * message it names; and the plans seen so far, so a request by plan id can name the plan.
 */

export interface SentNote {
  /** A short key the day's expectations match on, e.g. "notification v1", "stale update". */
  readonly label: string;
  /** The message as a person would name it: "the care plan 'Anticipatory care plan', version 1". */
  readonly summary: string;
  readonly from: string;
  /** Addresses it was sent to. */
  readonly to: readonly string[];
}

export interface KnownPlan {
  readonly title: string;
  readonly patientName: string;
}

export class Journal {
  private readonly sent = new Map<string, SentNote>();
  private readonly plans = new Map<string, KnownPlan>();

  noteSent(trackingId: string, note: SentNote): void {
    this.sent.set(trackingId.toUpperCase(), note);
  }

  sentAs(trackingId: string | undefined): SentNote | undefined {
    return trackingId ? this.sent.get(trackingId.toUpperCase()) : undefined;
  }

  notePlan(planId: string, plan: KnownPlan): void {
    this.plans.set(planId.toUpperCase(), plan);
  }

  plan(planId: string | undefined): KnownPlan | undefined {
    return planId ? this.plans.get(planId.toUpperCase()) : undefined;
  }
}
