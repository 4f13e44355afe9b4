/**
 * A message taken over after a crash (another instance finishes what a killed one began) is not
 * judged again against the care-plan index as it is by then: what an earlier attempt of this very
 * message already delivered stands (found by `npm run chaos`: an update delivered to the owner,
 * applied by the owner, then nacked 2200 "version conflict" to its proposer by the take-over).
 * On the real SQLite store's index.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import type { CarePlanFacts } from '../../../src/router/03-envelope/careplan-payload.js';
import type { Envelope } from '../../../src/router/03-envelope/envelope.js';
import { buildRouteTable } from '../../../src/router/05-routing/index.js';
import {
  applyCarePlanRules,
  type CarePlanRouting,
} from '../../../src/router/06-careplans/careplan-step.js';
import { buildLocateResponse, listedPlanIds } from '../../../src/router/06-careplans/answers.js';
import type { MessageStore } from '../../../src/router/08-store/message-store.js';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';

const routes = loadRoutes(fileURLToPath(new URL('../../../routes', import.meta.url)));
const table = buildRouteTable(routes, {
  routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  locatorAddress: routes.careplans!.locatorAddress,
});
const GP = 'urn:nhs-uk:addressing:ods:A83001';
const PLAN = '0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B';
const UPDATE = '6A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9';
const at = new Date('2026-12-08T09:00:00Z');
const router = {
  address: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  identity: 'urn:nhs-uk:identity:ods:ITKROUTER',
};

let dir: string;
let store: MessageStore;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-takeover-'));
  store = await openSqliteStore(path.join(dir, 'store.db'));
  await store.migrate();
  const plan = (version: number) => ({
    planId: PLAN,
    nhsNumber: '9434765919',
    planType: 'end-of-life',
    status: 'active',
    title: 'Anticipatory care plan',
    ownerEndpointId: 'riverside-gp',
    ownerAddress: GP,
    version,
    consentToShare: true,
    sharedWith: ['urn:nhs-uk:addressing:ods:HOSP01'],
    lastUpdated: at.toISOString(),
  });
  const v1 = { plan: plan(1), event: 'created', expectedVersion: 0, endpointId: 'riverside-gp' };
  await store.carePlans.applyChange({ ...v1, trackingId: 'T-V1', at });
  // The first attempt of the hospice's update: its proposal recorded, delivered to the GP; the
  // GP then applied it as version 2 (naming the update), before the take-over judged it again.
  await store.carePlans.recordUpdateProposal({
    updateTrackingId: UPDATE,
    planId: PLAN,
    baseVersion: 1,
    endpointId: 'st-marys-hospice',
    at,
  });
  const v2 = { plan: plan(2), event: 'updated', expectedVersion: 1, endpointId: 'riverside-gp' };
  await store.carePlans.applyChange({ ...v2, trackingId: 'T-V2', at });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const facts = (message: string) =>
  ({ message, planId: PLAN, baseVersion: 1 }) as unknown as CarePlanFacts;
const routed = (over: Partial<CarePlanRouting>): CarePlanRouting => ({
  kind: 'delivered',
  envelope: { trackingId: UPDATE, addresses: [{ uri: GP }] } as unknown as Envelope,
  sender: table.endpoints.get('st-marys-hospice')!,
  deliveries: [{ endpointId: 'riverside-gp', recipient: GP }],
  ...over,
});
const ctx = () => ({ index: store.carePlans, table, router, at });

test('the update on version 1, met again after the owner applied it: delivered as before, no 2200', async () => {
  const r = await applyCarePlanRules(
    routed({ earlierDeliveries: ['riverside-gp'] }),
    facts('CarePlanUpdate'),
    ctx(),
  );
  expect(r.kind).toBe('delivered');
  expect(r.deliveries.map((x) => x.endpointId)).toEqual(['riverside-gp']);
  expect(r.errors ?? []).toEqual([]);
});

test('the same update as a first attempt (nothing delivered earlier) is stale now: 2200 naming version 2', async () => {
  for (const earlierDeliveries of [undefined, [], ['north-community']]) {
    const r = await applyCarePlanRules(
      routed(earlierDeliveries ? { earlierDeliveries } : {}),
      facts('CarePlanUpdate'),
      ctx(),
    );
    expect(r.kind).toBe('careplan-refused');
    expect(r.errors?.[0]?.diagnostic).toMatch(/version conflict: .* is at version 2/);
  }
});

test('a request the locator forwarded to the owner before the crash is forwarded again, not answered anew', async () => {
  const r = await applyCarePlanRules(
    routed({
      toLocator: true,
      deliveries: [],
      earlierDeliveries: ['riverside-gp'],
      envelope: { trackingId: 'REQ-1', addresses: [] } as unknown as Envelope,
    }),
    { message: 'CarePlanRequest', planId: 'NO-SUCH-PLAN' } as unknown as CarePlanFacts,
    ctx(),
  );
  expect(r.answers ?? []).toEqual([]);
  expect(r.deliveries.map((x) => x.endpointId)).toEqual(['riverside-gp']);
});

describe('a locate or request the locator answered before the crash', () => {
  const earlier = {
    trackingId: 'ANSWER-1',
    service: 'urn:itk-router:careplan:LocateCarePlansResponse-v1-0',
    addressee: 'urn:nhs-uk:addressing:ods:HOSP01',
    xml: '<answer>as sent by the first attempt</answer>',
  };
  const toLocator = (over: Partial<CarePlanRouting>) =>
    routed({
      toLocator: true,
      deliveries: [],
      envelope: { trackingId: 'LOC-1', addresses: [] } as unknown as Envelope,
      ...over,
    });

  test.each([
    ['a locate', { message: 'LocateCarePlans', nhsNumber: '9434765919' }],
    ['a request the index would now forward', { message: 'CarePlanRequest', planId: PLAN }],
    ['a request the index would now not find', { message: 'CarePlanRequest', planId: 'GONE' }],
  ])('%s is answered with the recorded answer again, not judged anew', async (_, f) => {
    const r = await applyCarePlanRules(
      toLocator({ earlierAnswers: [earlier] }),
      f as unknown as CarePlanFacts,
      ctx(),
    );
    expect(r.kind).toBe('answered');
    expect(r.answers).toEqual([earlier]);
    expect(r.deliveries).toEqual([]);
  });

  test('a recorded locate answer listing a plan the asker may no longer see is not sent again: a new one is', async () => {
    const locate = {
      message: 'LocateCarePlans',
      nhsNumber: '9434765919',
    } as unknown as CarePlanFacts;
    const request = { trackingId: 'LOC-1', addresses: [] } as unknown as Envelope;
    const from = { ...router, locator: routes.careplans!.locatorAddress! };
    const plan = (await store.carePlans.getPlan(PLAN))!;
    const listing = (ids: string[]) =>
      buildLocateResponse(
        request,
        '9434765919',
        ids.map((planId) => ({ ...plan, planId })),
        from,
      );
    const stillVisible = listing([PLAN]);
    expect(listedPlanIds(stillVisible)).toEqual([PLAN]);
    const again = await applyCarePlanRules(
      toLocator({ earlierAnswers: [stillVisible] }),
      locate,
      ctx(),
    );
    expect(again.answers).toEqual([stillVisible]);

    // A plan closed, withdrawn from sharing or gone since: the asker gets what it may see now.
    const stale = listing([PLAN, 'A-PLAN-NO-LONGER-SHARED']);
    const fresh = await applyCarePlanRules(toLocator({ earlierAnswers: [stale] }), locate, ctx());
    expect(fresh.kind).toBe('answered');
    expect(fresh.answers).toHaveLength(1);
    expect(fresh.answers![0]!.trackingId).not.toBe(stale.trackingId);
    expect(listedPlanIds(fresh.answers![0]!)).toEqual([PLAN]);
  });

  test('without a recorded answer, a locate is judged against the index as it is now', async () => {
    for (const earlierAnswers of [undefined, []]) {
      const r = await applyCarePlanRules(
        toLocator(earlierAnswers ? { earlierAnswers } : {}),
        { message: 'LocateCarePlans', nhsNumber: '9434765919' } as unknown as CarePlanFacts,
        ctx(),
      );
      expect(r.kind).toBe('answered');
      expect(r.answers).toHaveLength(1);
      expect(r.answers![0]!.xml).toContain(PLAN);
      expect(r.answers![0]!.trackingId).not.toBe(earlier.trackingId);
    }
  });
});
