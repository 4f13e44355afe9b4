/** The pure care-plan rules: who may notify, rising versions, owner changes, closing, visibility. */
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import type {
  CarePlanFacts,
  CarePlanSummary,
} from '../../../src/router/03-envelope/careplan-payload.js';
import {
  checkNotification,
  maySee,
  requestedPlan,
} from '../../../src/router/06-careplans/plan-rules.js';
import { buildRouteTable } from '../../../src/router/05-routing/index.js';
import type { PlanRecord } from '../../../src/router/06-careplans/careplan-index.js';

const routes = loadRoutes(fileURLToPath(new URL('../../../routes', import.meta.url)));
const table = buildRouteTable(routes, {
  routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  locatorAddress: routes.careplans!.locatorAddress,
});
const endpoint = (id: string) => table.endpoints.get(id)!;
const GP = 'urn:nhs-uk:addressing:ods:A83001';
const HOSPICE = 'urn:nhs-uk:addressing:ods:HOSP01';
const PLAN = '0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B';

const plan = (over: Partial<CarePlanSummary> = {}): CarePlanSummary => ({
  planId: PLAN,
  version: 1,
  planType: 'end-of-life',
  status: 'active',
  title: 'Anticipatory care plan',
  owner: GP,
  nhsNumber: '9434765919',
  consentToShare: true,
  lastUpdated: '2026-11-25T10:00:00Z',
  ...over,
});
const notification = (event: string, p: CarePlanSummary) =>
  ({ message: 'CarePlanNotification', event, plan: p, entries: [] }) as CarePlanFacts & {
    plan: CarePlanSummary;
  };
const indexed = (over: Partial<PlanRecord> = {}): PlanRecord => ({
  planId: PLAN,
  nhsNumber: '9434765919',
  planType: 'end-of-life',
  status: 'active',
  title: 'Anticipatory care plan',
  ownerEndpointId: 'riverside-gp',
  ownerAddress: GP,
  version: 1,
  consentToShare: true,
  sharedWith: ['urn:nhs-uk:addressing:ods:RDE01:COMMUNITY'],
  lastUpdated: '2026-11-25T10:00:00Z',
  closed: false,
  ...over,
});

describe('checkNotification', () => {
  test('a new plan is created by its owner', () => {
    expect(
      checkNotification(
        notification('created', plan()),
        endpoint('riverside-gp'),
        undefined,
        table,
      ),
    ).toEqual({ ok: true, ownerEndpointId: 'riverside-gp' });
  });
  test('only the owner may notify', () => {
    expect(
      checkNotification(notification('created', plan()), endpoint('ooh-111'), undefined, table),
    ).toMatchObject({ ok: false, code: '3000' });
    expect(
      checkNotification(
        notification('updated', plan({ version: 2 })),
        endpoint('ooh-111'),
        indexed(),
        table,
      ),
    ).toMatchObject({
      ok: false,
      code: '3000',
      text: expect.stringContaining('owned by riverside-gp'),
    });
  });
  test('the version must rise, and the refusal names the current version', () => {
    for (const version of [1, 0]) {
      expect(
        checkNotification(
          notification('updated', plan({ version: version || 1 })),
          endpoint('riverside-gp'),
          indexed({ version: 3 }),
          table,
        ),
      ).toMatchObject({
        ok: false,
        code: '2200',
        text: expect.stringContaining('is at version 3'),
      });
    }
    expect(
      checkNotification(
        notification('updated', plan({ version: 4 })),
        endpoint('riverside-gp'),
        indexed({ version: 3 }),
        table,
      ).ok,
    ).toBe(true);
  });
  test('an unknown plan must start with created; a known one cannot be created again', () => {
    expect(
      checkNotification(
        notification('updated', plan()),
        endpoint('riverside-gp'),
        undefined,
        table,
      ),
    ).toMatchObject({ ok: false, code: '2200' });
    expect(
      checkNotification(
        notification('created', plan({ version: 2 })),
        endpoint('riverside-gp'),
        indexed(),
        table,
      ),
    ).toMatchObject({ ok: false, code: '2200', text: expect.stringContaining('already exists') });
  });
  test('owner-changed hands the plan to another registered end point; a silent owner change is refused', () => {
    expect(
      checkNotification(
        notification('owner-changed', plan({ version: 2, owner: HOSPICE })),
        endpoint('riverside-gp'),
        indexed(),
        table,
      ),
    ).toEqual({ ok: true, ownerEndpointId: 'st-marys-hospice' });
    expect(
      checkNotification(
        notification('updated', plan({ version: 2, owner: HOSPICE })),
        endpoint('riverside-gp'),
        indexed(),
        table,
      ),
    ).toMatchObject({ ok: false, code: '2200', text: expect.stringContaining('owner-changed') });
    expect(
      checkNotification(
        notification(
          'owner-changed',
          plan({ version: 2, owner: 'urn:nhs-uk:addressing:ods:NOBODY' }),
        ),
        endpoint('riverside-gp'),
        indexed(),
        table,
      ),
    ).toMatchObject({
      ok: false,
      code: '2200',
      text: expect.stringContaining('not a registered end point'),
    });
  });
  test('a closed plan takes no more notifications', () => {
    expect(
      checkNotification(
        notification('updated', plan({ version: 5 })),
        endpoint('riverside-gp'),
        indexed({ closed: true, version: 4 }),
        table,
      ),
    ).toMatchObject({
      ok: false,
      code: '2200',
      text: expect.stringContaining('closed at version 4'),
    });
  });
  test('the patient of a plan cannot change', () => {
    expect(
      checkNotification(
        notification('updated', plan({ version: 2, nhsNumber: '4010232137' })),
        endpoint('riverside-gp'),
        indexed(),
        table,
      ),
    ).toMatchObject({
      ok: false,
      code: '2200',
      text: expect.stringContaining('belongs to NHS number 9434765919'),
    });
  });
});

describe('maySee', () => {
  test('with consent anyone may; without, the owner and the addresses the owner chose only', () => {
    expect(maySee(indexed(), endpoint('ooh-111'), table)).toBe(true);
    const private_ = indexed({ consentToShare: false });
    expect(maySee(private_, endpoint('riverside-gp'), table)).toBe(true);
    expect(maySee(private_, endpoint('riverside-community'), table)).toBe(true);
    expect(maySee(private_, endpoint('ooh-111'), table)).toBe(false);
  });
});

describe('requestedPlan', () => {
  const plans = [
    indexed({ planId: 'A', planType: 'falls' }),
    indexed({ planId: 'B', closed: true }),
    indexed({ planId: 'C' }),
  ];
  test('by plan id, else the newest open plan of the type', () => {
    expect(
      requestedPlan({ message: 'CarePlanRequest', planId: 'B', entries: [] }, plans)?.planId,
    ).toBe('B');
    expect(
      requestedPlan(
        {
          message: 'CarePlanRequest',
          nhsNumber: '9434765919',
          planType: 'end-of-life',
          entries: [],
        },
        plans,
      )?.planId,
    ).toBe('C');
    expect(
      requestedPlan({ message: 'CarePlanRequest', nhsNumber: '9434765919', entries: [] }, plans)
        ?.planId,
    ).toBe('A');
    expect(
      requestedPlan(
        { message: 'CarePlanRequest', nhsNumber: '9434765919', planType: 'dementia', entries: [] },
        plans,
      ),
    ).toBeUndefined();
  });
});
