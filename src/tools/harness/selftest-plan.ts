/**
 * The care plan a simulated supplier owns in the self-test: one CarePlanNotification (event
 * created, version 1, consent to share) that seeds the simulator's store and that the
 * `share-plan` action publishes as the supplier, as an operator sharing a plan would.
 */
import { buildSimpleMessage, newItkId } from '../../router/03-envelope/build-envelope.js';
import {
  carePlanProfile,
  carePlanService,
  CAREPLAN_NS,
  SPEC_KEY,
} from '../../router/03-envelope/itk-names.js';
import { escapeXml, newNhsNumber } from './template.js';

export interface SeedPlan {
  readonly planId: string;
  readonly nhsNumber: string;
  readonly planType: string;
  /** The supplier's address: the plan's owner and the notification's sender. */
  readonly owner: string;
  readonly ownerIdentity: string;
}

export function newSeedPlan(
  owner: string,
  ownerIdentity: string,
  planTypes: readonly string[],
): SeedPlan {
  return {
    planId: newItkId(),
    nhsNumber: newNhsNumber(),
    planType: planTypes.includes('falls') ? 'falls' : (planTypes[0] ?? 'falls'),
    owner,
    ownerIdentity,
  };
}

const planXml = (p: SeedPlan, lastUpdated: string): string =>
  `<plan>
          <planId>${p.planId}</planId>
          <version>1</version>
          <planType>${escapeXml(p.planType)}</planType>
          <status>active</status>
          <title>Self-test care plan</title>
          <patient><nhsNumber>${p.nhsNumber}</nhsNumber><name>Selftest Patient</name><birthDate>1950-06-01</birthDate></patient>
          <owner>${escapeXml(p.owner)}</owner>
          <goals><goal>Stay well at home</goal></goals>
          <consentToShare>true</consentToShare>
          <lastUpdated>${lastUpdated}</lastUpdated>
        </plan>`;

/** The notification of the plan to `to`, with a new tracking id; it asks for an inf ack. */
export function seedNotification(p: SeedPlan, to: string): { trackingId: string; xml: string } {
  const lastUpdated = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return buildSimpleMessage({
    service: carePlanService('CarePlanNotification'),
    to: { uri: to },
    from: { address: p.owner, identity: p.ownerIdentity },
    profileId: carePlanProfile('CarePlanNotification'),
    handlingSpecs: [
      { key: SPEC_KEY.infAckRequested, value: 'true' },
      { key: SPEC_KEY.busAckRequested, value: 'true' },
    ],
    payload: `<CarePlanNotification xmlns="${CAREPLAN_NS}">
        <event>created</event>
        ${planXml(p, lastUpdated)}
      </CarePlanNotification>`,
  });
}
