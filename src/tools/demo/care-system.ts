/**
 * A simulated supplier system (GP, community nursing, hospice, 111), behaving as accredited
 * systems do: it acknowledges what asks for an inf ack (unless the router acknowledges for it,
 * `acks: router`), keeps the plans it receives, and, for the plans it owns, answers requests with
 * the plan and decides proposed updates: accepted (business ack AA, then the next version notified
 * to everyone it shares with) when based on its current version, else rejected (AR).
 */
import type { CarePlanSummary } from '../../router/03-envelope/careplan-payload.js';
import { businessAck, infAck } from './acknowledgements.js';
import type { CastMember } from './cast.js';
import { EndpointConnection, type EndpointConnectionOptions } from './endpoint-connection.js';
import type { Journal } from './journal.js';
import * as out from './outgoing.js';
import type { PlanData } from './plan-data.js';
import { readArrival, type Arrival } from './read-arrival.js';
import type { SceneClock } from './scene-clock.js';

export interface CareSystemOptions {
  readonly member: CastMember;
  /** The end point's display name, from the routes. */
  readonly name: string;
  /** False for `acks: router` end points: their systems cannot send inf acks. */
  readonly acksItself: boolean;
  readonly clock: SceneClock;
  readonly journal: Journal;
  /** Told of every message that arrives, before the system answers it. */
  readonly onArrival: (arrival: Arrival) => void;
  readonly onProblem: (text: string) => void;
  readonly connection: Omit<EndpointConnectionOptions, 'onMessage' | 'onProblem'>;
}

export class CareSystem {
  /** The plans it holds: its own master copies and the copies it received. */
  readonly plans = new Map<string, PlanData>();
  /** The entries of the last locator answer it received. */
  located: readonly CarePlanSummary[] = [];
  private readonly sharing = new Map<string, readonly string[]>();
  private connection?: EndpointConnection;

  constructor(private readonly options: CareSystemOptions) {}

  get id(): string {
    return this.options.member.endpointId;
  }

  get member(): CastMember {
    return this.options.member;
  }

  async start(): Promise<void> {
    this.connection = await EndpointConnection.open({
      ...this.options.connection,
      onMessage: async (msg) => this.receive(readArrival(this.id, msg)),
      onProblem: (reason) => this.options.onProblem(`${this.options.name}: ${reason}`),
    });
  }

  async stop(): Promise<void> {
    await this.connection?.close();
  }

  async send(message: out.Outgoing): Promise<void> {
    if (!this.connection) throw new Error(`${this.id} is not connected`);
    const { trackingId, xml, ...note } = message;
    this.options.journal.noteSent(trackingId, { ...note, from: this.id });
    await this.connection.publish(xml, trackingId);
  }

  /** The owner creates a plan and pushes version 1 to the addresses it chooses. */
  async share(plan: PlanData, to: readonly string[]): Promise<void> {
    this.keep(plan);
    this.sharing.set(plan.planId, to);
    await this.send(out.notification(this.member, to, 'created', plan));
  }

  private keep(plan: PlanData): void {
    this.plans.set(plan.planId, plan);
    this.options.journal.notePlan(plan.planId, {
      title: plan.title,
      patientName: plan.patient.name,
    });
  }

  private owns(plan: PlanData | undefined): plan is PlanData {
    return plan !== undefined && plan.owner === this.member.address;
  }

  private now(): Date {
    return new Date(this.options.clock.iso());
  }

  private async receive(a: Arrival): Promise<void> {
    this.options.onArrival(a);
    if (a.kind === 'inf-ack' || a.kind === 'inf-nack') return; // never acknowledge an ack
    if (a.infAckRequested && this.options.acksItself)
      await this.send(infAck(this.member, a, this.now()));
    switch (a.kind) {
      case 'CarePlanNotification':
      case 'CarePlanResponse':
        if (a.plan) this.keep(a.plan);
        break;
      case 'LocateCarePlansResponse':
        this.located = a.facts?.entries ?? [];
        break;
      case 'CarePlanRequest':
        return this.answerRequest(a);
      case 'CarePlanUpdate':
        return this.decideUpdate(a);
    }
    if (a.busAckRequested && a.kind !== 'bus-ack')
      await this.send(businessAck(this.member, a, 'AA', this.now()));
  }

  private async answerRequest(a: Arrival): Promise<void> {
    const to = a.envelope.senderAddress?.uri;
    if (!to) return this.options.onProblem(`${this.options.name}: a request without a sender`);
    const f = a.facts;
    const plan = f?.planId
      ? this.plans.get(f.planId)
      : [...this.plans.values()].find(
          (p) =>
            this.owns(p) &&
            p.patient.nhsNumber === f?.nhsNumber &&
            (!f.planType || p.planType === f.planType),
        );
    const answer = this.owns(plan)
      ? ({ outcome: 'found', plan } as const)
      : ({ outcome: 'not-found', reason: `${this.options.name} holds no such plan` } as const);
    await this.send(out.response(this.member, to, a.envelope.trackingId, answer));
  }

  private async decideUpdate(a: Arrival): Promise<void> {
    const current = this.plans.get(a.facts?.planId ?? '');
    const reject = async (why: string) => {
      if (a.busAckRequested) await this.send(businessAck(this.member, a, 'AR', this.now(), why));
    };
    if (!this.owns(current) || !a.plan) return reject('not the owner of this plan');
    if (a.facts?.baseVersion !== current.version) {
      return reject(
        `based on version ${a.facts?.baseVersion}; the plan is at version ${current.version}`,
      );
    }
    if (a.busAckRequested) await this.send(businessAck(this.member, a, 'AA', this.now()));
    const next: PlanData = {
      ...a.plan,
      version: current.version + 1,
      owner: current.owner,
      lastUpdated: this.options.clock.iso(),
    };
    this.keep(next);
    const to = this.sharing.get(next.planId) ?? [];
    await this.send(out.notification(this.member, to, 'updated', next));
  }
}
