/**
 * The chaos run's message mix, as conversations: one care plan's life each, a chain of messages
 * sent one after another, each only once the one before it had its outcome (as real systems
 * do: the owner answers a request it received, notifies version 2 after accepting an update).
 * Every message carries what the contract says must happen to it (docs/contract.md,
 * docs/care-plans.md): delivered to which end points, nacked with which Toolkit code, or
 * answered by the router's locator with what. Pure: builds bytes and expectations, sends nothing.
 *
 * A plan's conversation: `created` (and the team's inf acks), then 3 to 12 of the other kinds
 * at random, and in one plan of three `closed` (and a locate that no longer lists it).
 *
 * Kept sequential per plan so that each expectation is fixed when the plan is made: two routers
 * process messages in any order, so an `updated` published before its `created` was processed
 * would be refused, rightly.
 */
import { buildBusinessAck } from '../../src/router/07-delivery/business-ack.js';
import { buildInfAck } from '../../src/router/07-delivery/infrastructure-ack.js';
import {
  ADDR,
  locate,
  newId,
  newPlan,
  nextVersion,
  notification,
  request,
  response,
  update,
  type PlanSpec,
  type TestMessage,
} from '../../test/support/careplan-messages.js';

export const PARTIES = ['riverside-gp', 'st-marys-hospice', 'ooh-111', 'riverside-community'];
export type Party = 'riverside-gp' | 'st-marys-hospice' | 'ooh-111' | 'riverside-community';
/** Parties that own plans (the community team proposes updates and acknowledges). */
const OWNERS: readonly Party[] = ['riverside-gp', 'st-marys-hospice', 'ooh-111'];

export const ADDRESS: Record<Party, string> = {
  'riverside-gp': ADDR.gp,
  'st-marys-hospice': ADDR.hospice,
  'ooh-111': ADDR.ooh,
  'riverside-community': ADDR.community,
};
const identityOf = (address: string) =>
  address.replace('urn:nhs-uk:addressing:', 'urn:nhs-uk:identity:');

/** The routes of the run: four end points, the locator, two plan types. */
export const ROUTES = (userOf: (p: Party) => string): string => `endpoints:
  riverside-gp: { name: Riverside GP, addresses: [${ADDR.gp}], identities: [${userOf('riverside-gp')}] }
  st-marys-hospice: { name: St Marys Hospice, addresses: [${ADDR.hospice}], identities: [${userOf('st-marys-hospice')}] }
  ooh-111: { name: NWAS 111, addresses: [${ADDR.ooh}], identities: [${userOf('ooh-111')}] }
  riverside-community: { name: Community, addresses: ['urn:nhs-uk:addressing:ods:RDE01:*'], identities: [${userOf('riverside-community')}] }
careplans:
  locatorAddress: ${ADDR.locator}
  planTypes: [end-of-life, long-term-condition]
`;

export type Kind =
  | 'notify created'
  | 'notify updated'
  | 'notify closed'
  | 'inf ack'
  | 'request (forwarded)'
  | 'response found'
  | 'request (not-found)'
  | 'update'
  | 'business ack'
  | 'locate'
  | 'stale update (2200)'
  | 'stale notification (2200)'
  | 'not the owner (3000)'
  | 'invalid (1000)'
  | 'exact duplicate';

/** What the router must do with one message (one tracking id), by the contract. */
export interface Expectation {
  /** End points it must be delivered to, once each. */
  readonly deliveredTo: readonly Party[];
  /** A nack to the sender with this Toolkit code (the first word of ErrorDiagnosticText). */
  readonly nack?: string;
  /** The locator's own answer to the sender. */
  readonly answer?:
    | { readonly kind: 'locate'; readonly plans: readonly { id: string; version: number }[] }
    | { readonly kind: 'not-found' };
}

export interface Step {
  readonly kind: Kind;
  readonly trackingId: string;
  readonly sender: Party;
  readonly bytes: Buffer;
  readonly expect: Expectation;
  /** For an exact duplicate: the step it repeats (same bytes, same tracking id). */
  readonly repeats?: Step;
}

export interface Conversation {
  readonly planId: string;
  readonly owner: Party;
  readonly steps: readonly Step[];
}

const pick = <T>(random: () => number, xs: readonly T[]): T =>
  xs[Math.floor(random() * xs.length)]!;

/** One plan's conversation, at most `budget` messages (at least 1). */
export function conversation(random: () => number, budget: number): Conversation {
  const owner = pick(random, OWNERS);
  const others = PARTIES.filter((p) => p !== owner) as Party[];
  const otherSuppliers = OWNERS.filter((p) => p !== owner);
  // The team: the community always, sometimes another supplier as well.
  const team: Party[] =
    random() < 0.3
      ? ['riverside-community', pick(random, otherSuppliers)]
      : ['riverside-community'];
  const generic = () => random() < 0.3;
  let plan: PlanSpec = newPlan({
    owner: ADDRESS[owner],
    planType: random() < 0.5 ? 'end-of-life' : 'long-term-condition',
  });
  const steps: Step[] = [];
  const add = (kind: Kind, sender: Party, m: TestMessage, expect: Expectation) =>
    steps.push({ kind, sender, trackingId: m.trackingId, bytes: m.bytes, expect });
  const from = (p: Party) => ({ address: ADDRESS[p], identity: identityOf(ADDRESS[p]) });
  const teamAddresses = () => team.map((p) => ADDRESS[p]);

  const notify = (kind: Kind, event: 'created' | 'updated' | 'closed') => {
    const m = notification(event, plan, {
      to: teamAddresses(),
      from: ADDRESS[owner],
      infAck: true,
      generic: generic(),
    });
    add(kind, owner, m, { deliveredTo: team });
    const service = /service="([^"]+)"/.exec(m.xml)![1]!;
    for (const member of team) {
      const ack = buildInfAck({
        original: { trackingId: m.trackingId, service },
        to: { uri: ADDRESS[owner] },
        from: from(member),
        result: 'OK',
      });
      add('inf ack', member, { ...ack, bytes: Buffer.from(ack.xml) }, { deliveredTo: [owner] });
    }
  };

  notify('notify created', 'created');
  let closed = false;
  // A plan's life: a few to a dozen things happen to it, and one in three is closed at the end.
  let actions = 3 + Math.floor(random() * 10);
  while (steps.length < budget && !closed) {
    const r = actions-- > 0 ? random() * 0.96 : random() < 0.33 ? 0.99 : -1;
    if (r < 0) break;
    if (r < 0.16) {
      // Pull: the request goes through the locator to the owner, who answers with the plan.
      const requester = pick(random, others);
      const req = request(
        { planId: plan.planId },
        { from: ADDRESS[requester], generic: generic() },
      );
      add('request (forwarded)', requester, req, { deliveredTo: [owner] });
      const res = response(
        { inResponseTo: req.trackingId, outcome: 'found', plan },
        { to: [ADDRESS[requester]], from: ADDRESS[owner] },
      );
      add('response found', owner, res, { deliveredTo: [requester] });
    } else if (r < 0.3) {
      // Change: the community proposes, the owner accepts (AA) and notifies the new version.
      const proposed = nextVersion(plan);
      const u = update(
        { baseVersion: plan.version, proposed },
        { to: [ADDRESS[owner]], from: ADDR.community },
      );
      add('update', 'riverside-community', u, { deliveredTo: [owner] });
      const payloadId = /manifestitem id="([^"]+)"/.exec(u.xml)![1]!;
      const aa = buildBusinessAck({
        original: { trackingId: u.trackingId, payloadId },
        typeCode: 'AA',
        to: { uri: ADDR.community },
        from: from(owner),
      });
      add(
        'business ack',
        owner,
        { ...aa, bytes: Buffer.from(aa.xml) },
        { deliveredTo: ['riverside-community'] },
      );
      plan = proposed;
      notify('notify updated', 'updated');
    } else if (r < 0.42) {
      const asker = pick(random, PARTIES as Party[]);
      add(
        'locate',
        asker,
        locate({ nhsNumber: plan.nhsNumber }, { from: ADDRESS[asker], generic: generic() }),
        {
          deliveredTo: [],
          answer: { kind: 'locate', plans: [{ id: plan.planId, version: plan.version }] },
        },
      );
    } else if (r < 0.5) {
      const asker = pick(random, others);
      add('request (not-found)', asker, request({ planId: newId() }, { from: ADDRESS[asker] }), {
        deliveredTo: [],
        answer: { kind: 'not-found' },
      });
    } else if (r < 0.58 && plan.version >= 2) {
      const stale = nextVersion({ ...plan, version: plan.version - 1 });
      add(
        'stale update (2200)',
        'riverside-community',
        update(
          { baseVersion: plan.version - 1, proposed: stale },
          { to: [ADDRESS[owner]], from: ADDR.community },
        ),
        { deliveredTo: [], nack: '2200' },
      );
    } else if (r < 0.64) {
      add(
        'stale notification (2200)',
        owner,
        notification('updated', plan, { to: teamAddresses(), from: ADDRESS[owner] }),
        { deliveredTo: [], nack: '2200' },
      );
    } else if (r < 0.7) {
      const intruder = pick(random, otherSuppliers);
      add(
        'not the owner (3000)',
        intruder,
        notification('updated', nextVersion(plan), {
          to: teamAddresses(),
          from: ADDRESS[intruder],
        }),
        { deliveredTo: [], nack: '3000' },
      );
    } else if (r < 0.78) {
      // Invalid: a version that is not a number (payload schema), or an NHS number whose check
      // digit is wrong (business rule).
      if (random() < 0.5) {
        const m = notification('updated', nextVersion(plan), {
          to: teamAddresses(),
          from: ADDRESS[owner],
        });
        const bytes = Buffer.from(
          m.xml.replace(/<version>\d+<\/version>/, '<version>three</version>'),
        );
        add('invalid (1000)', owner, { ...m, bytes }, { deliveredTo: [], nack: '1000' });
      } else {
        const asker = pick(random, PARTIES as Party[]);
        const bad = plan.nhsNumber.slice(0, 9) + String((Number(plan.nhsNumber[9]) + 1) % 10);
        add('invalid (1000)', asker, locate({ nhsNumber: bad }, { from: ADDRESS[asker] }), {
          deliveredTo: [],
          nack: '1000',
        });
      }
    } else if (r < 0.96) {
      // An exact re-send of an earlier message of this conversation, by its sender.
      const original = pick(
        random,
        steps.filter((s) => s.repeats === undefined),
      );
      steps.push({
        kind: 'exact duplicate',
        sender: original.sender,
        trackingId: original.trackingId,
        bytes: original.bytes,
        expect: { deliveredTo: [] },
        repeats: original,
      });
    } else if (steps.length + team.length + 2 <= budget) {
      plan = nextVersion(plan, { status: 'completed' });
      notify('notify closed', 'closed');
      closed = true;
      const asker = pick(random, PARTIES as Party[]);
      add('locate', asker, locate({ nhsNumber: plan.nhsNumber }, { from: ADDRESS[asker] }), {
        deliveredTo: [],
        answer: { kind: 'locate', plans: [] },
      });
    }
  }
  return { planId: plan.planId, owner, steps: steps.slice(0, Math.max(1, budget)) };
}
