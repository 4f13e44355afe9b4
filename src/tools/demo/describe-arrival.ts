/**
 * One arrived message in plain English, for someone who has never seen ITK: who sent it to whom,
 * what it means, and, indented, the ITK detail for the curious (service, tracking id, what it
 * acknowledges, what it asks for).
 */
import type { RouteTable } from '../../router/05-routing/index.js';
import { resolveAddress } from '../../router/05-routing/index.js';
import { spacedNhsNumber } from './cast.js';
import type { Journal, SentNote } from './journal.js';
import type { Arrival } from './read-arrival.js';

export interface Told {
  /** "Riverside Medical Practice → Riverside Community Trust" */
  readonly who: string;
  readonly meaning: string;
  readonly detail: string;
}

export interface DescribeContext {
  readonly table: RouteTable;
  readonly journal: Journal;
}

const UUID = /\bplan [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\b/g;
/** The router's diagnostics name plans by id; in a sentence, "the plan" reads better. */
const humanise = (text: string) => text.replace(UUID, 'the plan');

export function nameOf(table: RouteTable, endpointId: string): string {
  if (endpointId === 'router') return 'router';
  return table.endpoints.get(endpointId)?.name ?? endpointId;
}

function howItCame(a: Arrival, table: RouteTable): string {
  if (a.recipient.startsWith('copy:')) return ` (a copy, by route ${a.recipient.slice(5)})`;
  if (a.recipient.startsWith('subscription:'))
    return ` (a copy: it subscribes to ${a.recipient.slice(13)} plans)`;
  if (a.recipient === table.locatorAddress) return ', through the locator';
  return '';
}

/** The `acks: router` end points a message went to: those the router acknowledged for. */
function actedFor(note: SentNote | undefined, table: RouteTable): string {
  const ids = (note?.to ?? [])
    .map((uri) => resolveAddress(table, uri))
    .filter((id): id is string => id !== undefined && table.endpoints.get(id)?.acks === 'router');
  return ids.map((id) => nameOf(table, id)).join(' and ') || 'an end point that cannot';
}

function meaning(a: Arrival, ctx: DescribeContext): string {
  const { table, journal } = ctx;
  const about = journal.sentAs(a.ack?.ref);
  const what = about?.summary ?? `message ${a.ack?.ref ?? ''}`;
  const plan = a.plan;
  const facts = a.facts;
  switch (a.kind) {
    case 'CarePlanNotification':
      return `care plan '${plan?.title}' for ${plan?.patient.name} (NHS ${spacedNhsNumber(plan?.patient.nhsNumber ?? '')}), version ${plan?.version}, ${facts?.event}${howItCame(a, table)}`;
    case 'LocateCarePlansResponse': {
      const entries = facts?.entries ?? [];
      const nhs = `NHS ${spacedNhsNumber(facts?.nhsNumber ?? '')}`;
      if (entries.length === 0) return `the locator found no care plan for ${nhs}`;
      const listed = entries.map((e) => {
        const owner = resolveAddress(table, e.owner);
        const holder = owner ? nameOf(table, owner) : e.owner;
        return `'${e.title}' (${e.planType}, version ${e.version}, ${e.status}), held by ${holder}`;
      });
      return `the locator found ${entries.length} plan${entries.length > 1 ? 's' : ''} for ${nhs}: ${listed.join('; ')}`;
    }
    case 'CarePlanRequest': {
      const known = journal.plan(facts?.planId);
      const asked = known ? `the care plan '${known.title}' (${known.patientName})` : 'a care plan';
      return `asks for ${asked}${howItCame(a, table)}: "${a.words ?? ''}"`;
    }
    case 'CarePlanResponse':
      return facts?.outcome === 'found'
        ? `here is the care plan '${plan?.title}' for ${plan?.patient.name}, version ${plan?.version} (found)`
        : `no plan for you (${facts?.outcome}): ${a.words ?? ''}`;
    case 'CarePlanUpdate':
      return `proposes version ${plan?.version} of '${plan?.title}', based on version ${facts?.baseVersion}: "${a.words ?? ''}"`;
    case 'inf-ack':
      return a.from === 'router'
        ? `${what}, is safely in ${actedFor(about, table)}'s queue (an infrastructure ack the router sends for it: its system cannot)`
        : `received ${what}, and it is valid (an infrastructure ack)`;
    case 'inf-nack': {
      const e = a.ack?.errors[0];
      // A Toolkit code opens the diagnostic of a DE-coded nack (src/router/07-delivery/nack-codes.ts): show it.
      const finer = /^(\d{4}) (.*)$/s.exec(e?.diagnostic ?? '');
      const code = finer?.[1] ?? e?.code ?? '?';
      const why = finer?.[2] || e?.diagnostic || e?.text || 'no reason given';
      return `refused (${code}): ${humanise(why)}`;
    }
    case 'bus-ack': {
      const t = a.ack?.typeCode;
      if (t === 'AA') return `accepted ${what} (business acknowledgement AA)`;
      const verb = t === 'AR' ? 'rejected' : 'could not process';
      return `${verb} ${what} (${t})${a.ack?.text ? `: ${a.ack.text}` : ''}`;
    }
    default:
      return `a message with service ${a.envelope.service}`;
  }
}

function detail(a: Arrival, ctx: DescribeContext): string {
  const parts = [`service ${a.envelope.service}`, `tracking id ${a.envelope.trackingId}`];
  if (a.ack) {
    const about = ctx.journal.sentAs(a.ack.ref);
    parts.push(`${a.kind === 'inf-nack' ? 'refuses' : 'acknowledges'} ${a.ack.ref}`);
    if (a.kind === 'inf-nack' && about) parts.push(about.summary);
    const error = a.ack.errors[0];
    if (error?.text) parts.push(`ErrorText "${error.text}"`);
  }
  const asks = [a.infAckRequested && 'an inf ack', a.busAckRequested && 'a business ack'];
  const wanted = asks.filter(Boolean);
  if (wanted.length > 0) parts.push(`asks for ${wanted.join(' and ')}`);
  return parts.join(' · ');
}

export function describeArrival(a: Arrival, ctx: DescribeContext): Told {
  return {
    who: `${nameOf(ctx.table, a.from)} → ${nameOf(ctx.table, a.to)}`,
    meaning: meaning(a, ctx),
    detail: detail(a, ctx),
  };
}
