/** Care plans and changes the contract tests build; every id is fresh, so tests never collide. */
import { randomInt, randomUUID } from 'node:crypto';
import type { PlanChange, PlanRecord } from '../../src/router/06-careplans/careplan-index.js';
import { at, newEndpoint, newTrackingId } from './store-fixtures.js';

/** A plan id as ITK senders make them: an upper-case UUID. */
export const newPlanId = (): string => randomUUID().toUpperCase();

/** A fresh ten-digit NHS number (check digit not needed by the store). */
export const newNhsNumber = (): string => String(randomInt(1_000_000_000, 9_999_999_999));

export type PlanFields = Omit<PlanRecord, 'closed'>;

export function plan(overrides: Partial<PlanFields> = {}): PlanFields {
  return {
    planId: newPlanId(),
    nhsNumber: newNhsNumber(),
    planType: 'eolc',
    status: 'active',
    title: 'End of life care plan',
    ownerEndpointId: newEndpoint('riverside-gp'),
    ownerAddress: 'urn:nhs-uk:addressing:ods:A83001',
    version: 1,
    consentToShare: true,
    sharedWith: ['urn:nhs-uk:addressing:ods:RYE', 'urn:nhs-uk:addressing:ods:HOSPICE1'],
    lastUpdated: '2025-03-01T09:00:00Z',
    ...overrides,
  };
}

/** The notification of `p`, replacing `expectedVersion` (default: the one before it). */
export function change(
  p: PlanFields,
  overrides: Partial<Omit<PlanChange, 'plan'>> = {},
): PlanChange {
  return {
    plan: p,
    event: p.version === 1 ? 'created' : 'updated',
    expectedVersion: p.version - 1,
    endpointId: p.ownerEndpointId,
    trackingId: newTrackingId(),
    at: at(p.version),
    ...overrides,
  };
}

/** The next version of `p`, with whatever else changed. */
export const next = (p: PlanFields, overrides: Partial<PlanFields> = {}): PlanFields => ({
  ...p,
  version: p.version + 1,
  ...overrides,
});
