/**
 * The care-plan answers the router (as the locator) builds itself: LocateCarePlansResponse and
 * CarePlanResponse (not-found / refused). Pure: returns the Distribution Envelope to send.
 */
import { create } from 'xmlbuilder2';
import type { RouterIdentity } from '../05-routing/router-identity.js';
import { buildSimpleMessage } from '../03-envelope/build-envelope.js';
import type { Envelope } from '../03-envelope/envelope.js';
import {
  CAREPLAN_NS,
  carePlanProfile,
  carePlanService,
  type CarePlanMessageName,
} from '../03-envelope/itk-names.js';
import { parseLite, type LiteElement } from '../03-envelope/lite-xml.js';
import type { PlanRecord } from './careplan-index.js';

/** A message the locator sends back, as built: the XML and what the router needs to send it. */
export interface Answer {
  readonly trackingId: string;
  readonly service: string;
  /** The asker's senderAddress, when its request had one. */
  readonly addressee?: string;
  readonly xml: string;
}

function wrap(
  name: CarePlanMessageName,
  payload: string,
  request: Envelope,
  from: RouterIdentity & { locator: string },
): Answer {
  const { trackingId, envelope, xml } = buildSimpleMessage({
    service: carePlanService(name),
    ...(request.senderAddress ? { to: request.senderAddress } : {}),
    from: { address: from.locator, identity: from.identity },
    profileId: carePlanProfile(name),
    payload,
  });
  const addressee = envelope.addresses[0]?.uri;
  return { trackingId, service: envelope.service, ...(addressee ? { addressee } : {}), xml };
}

export function buildLocateResponse(
  request: Envelope,
  nhsNumber: string,
  plans: readonly PlanRecord[],
  from: RouterIdentity & { locator: string },
): Answer {
  const root = create().ele(CAREPLAN_NS, 'LocateCarePlansResponse');
  root.ele('inResponseTo').txt(request.trackingId.toUpperCase());
  root.ele('nhsNumber').txt(nhsNumber);
  for (const p of plans) {
    const entry = root.ele('entry');
    entry.ele('planId').txt(p.planId);
    entry.ele('planType').txt(p.planType);
    entry.ele('version').txt(String(p.version));
    entry.ele('status').txt(p.status);
    entry.ele('owner').txt(p.ownerAddress);
    entry.ele('title').txt(p.title);
    entry.ele('lastUpdated').txt(p.lastUpdated);
  }
  return wrap('LocateCarePlansResponse', root.end({ headless: true }), request, from);
}

/**
 * The plans an answer this module built lists (a LocateCarePlansResponse's entries; none for any
 * other answer): read back from its XML with the router's own parser, for a copy taken over after
 * a crash to check the asker may still see each before it sends that answer again.
 */
export function listedPlanIds(answer: Pick<Answer, 'xml'>): string[] {
  const ids: string[] = [];
  const walk = (el: LiteElement): void => {
    if (el.name === 'entry' && el.ns === CAREPLAN_NS) {
      const id = el.children.find((c) => c.name === 'planId' && c.ns === CAREPLAN_NS);
      if (id) ids.push(id.text.trim());
      return;
    }
    el.children.forEach(walk);
  };
  walk(parseLite(answer.xml));
  return ids;
}

export function buildCarePlanResponse(
  request: Envelope,
  outcome: 'not-found' | 'refused',
  reason: string,
  from: RouterIdentity & { locator: string },
): Answer {
  const root = create().ele(CAREPLAN_NS, 'CarePlanResponse');
  root.ele('inResponseTo').txt(request.trackingId.toUpperCase());
  root.ele('outcome').txt(outcome);
  root.ele('reason').txt(reason);
  return wrap('CarePlanResponse', root.end({ headless: true }), request, from);
}
