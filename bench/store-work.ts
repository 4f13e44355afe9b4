/**
 * The store work of one routed care-plan notification, as the pipeline does it: shared by
 * `npm run bench:store` and the sum-of-parts line of `npm run bench`.
 */
import { randomUUID } from 'node:crypto';
import type { MessageStore } from '../src/router/08-store/message-store.js';

const SENDER = 'riverside-gp';
const RECIPIENT = 'riverside-community';

/** One notification's store calls, in the pipeline's order. */
export async function oneMessage(store: MessageStore, body: Buffer): Promise<void> {
  const at = new Date();
  const trackingId = randomUUID().toUpperCase();
  const planId = randomUUID().toUpperCase();
  const begun = await store.begin({
    trackingId,
    senderEndpointId: SENDER,
    brokerUser: SENDER,
    service: 'urn:itk-router:services:CarePlanNotification-v1-0',
    interaction: 'urn:itk-router:interaction:CarePlanNotification-v1-0',
    senderAddress: 'urn:nhs-uk:addressing:ods:A83001',
    receivedAt: at,
    bytes: body,
  });
  if (begun.kind !== 'new') throw new Error(`tracking id ${trackingId} was not new`);
  const current = await store.carePlans.getPlan(planId);
  const applied = await store.carePlans.applyChange({
    plan: {
      planId,
      nhsNumber: '9434765919',
      planType: 'end-of-life',
      status: 'active',
      title: 'Anticipatory care plan',
      ownerEndpointId: SENDER,
      ownerAddress: 'urn:nhs-uk:addressing:ods:A83001',
      version: 1,
      consentToShare: true,
      sharedWith: ['urn:nhs-uk:addressing:ods:RDE01:COMMUNITY'],
      lastUpdated: at.toISOString(),
    },
    event: 'created',
    expectedVersion: current?.version ?? 0,
    endpointId: SENDER,
    trackingId,
    at,
  });
  if (!applied.applied) throw new Error(`plan ${planId} was not applied`);
  await store.confirmedDeliveries(begun.id);
  await store.addEvent(begun.id, {
    state: 'delivered',
    at,
    endpointId: RECIPIENT,
    detail: 'to urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
  });
  await store.complete(begun.id, {
    state: 'delivered',
    at,
    responses: [],
    expectedAcks: [{ kind: 'inf', endpointId: RECIPIENT, dueAt: new Date(at.getTime() + 60_000) }],
  });
}

/** `count` messages, `concurrency` at a time, as the router handles them at its prefetch. */
export async function drive(
  store: MessageStore,
  body: Buffer,
  count: number,
  concurrency: number,
): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started++ < count) await oneMessage(store, body);
    }),
  );
}
