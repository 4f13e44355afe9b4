/** Planning a replay: whose message it was, who that is now, and the duplicate check (pure). */
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import {
  toEntries,
  type QuarantinedMessage,
} from '../../../src/tools/quarantine/quarantine-entry.js';
import {
  gatewayEndpointOf,
  originRecord,
  planReplay,
  storeKeyOf,
} from '../../../src/tools/quarantine/replay-plan.js';
import { buildRouteTable } from '../../../src/router/05-routing/index.js';
import type { MessageHistory, MessageRecord } from '../../../src/router/08-store/message-store.js';

const table = buildRouteTable(
  loadRoutes(fileURLToPath(new URL('../../../routes', import.meta.url))),
  { routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER' },
);
const TID = 'C0FFEE00-0000-4000-8000-000000000001';
const body = Buffer.from(`<itk:header trackingid="${TID}"/>`);
const at = (s: number) => new Date(Date.UTC(2025, 2, 1, 9, 0, s));

const entryOf = (
  headers: Record<string, unknown>,
  properties: Partial<QuarantinedMessage['properties']> = {},
) => toEntries([{ content: body, properties: { headers, ...properties } }])[0]!;

const record = (over: Partial<MessageRecord>): MessageRecord => ({
  id: `id-${Math.random()}`,
  trackingId: TID,
  senderEndpointId: null,
  brokerUser: null,
  service: 'urn:x',
  interaction: null,
  senderAddress: null,
  receivedAt: at(0),
  size: body.byteLength,
  state: 'quarantined',
  outcome: 'quarantined',
  completedAt: at(1),
  ...over,
});
const history = (r: MessageRecord): MessageHistory => ({ record: r, events: [], responses: [] });

const unknownSender = entryOf({
  'itk-error-code': '3000',
  'itk-error-text': 'broker user riverside-gp-2 is not an identity of any end point',
  'itk-tracking-id': TID,
});
const forbidden = entryOf({
  'itk-error-code': '3000',
  'itk-error-text': 'end point riverside-gp may not send as …',
  'itk-sender': 'riverside-gp',
  'itk-tracking-id': TID,
});

describe('planReplay: the sender', () => {
  test("takes the broker user from the store's record of the quarantined message", () => {
    const origin = record({ brokerUser: 'riverside-gp' });
    expect(originRecord(unknownSender, [history(origin)])).toBe(origin);
    expect(planReplay(unknownSender, [history(origin)], table, { ignoreDuplicate: false })).toEqual(
      {
        ok: true,
        plan: {
          entry: unknownSender,
          user: 'riverside-gp',
          userFrom: 'store',
          senderEndpointId: 'riverside-gp',
        },
      },
    );
  });

  test("else from the copy's own user_id (dead-lettered by the broker), else from itk-sender", () => {
    const dead = entryOf({ 'x-death': [{ reason: 'delivery_limit' }] }, { userId: 'ooh-111' });
    expect(planReplay(dead, [], table, { ignoreDuplicate: false })).toMatchObject({
      ok: true,
      plan: { user: 'ooh-111', userFrom: 'user_id', senderEndpointId: 'ooh-111' },
    });
    // itk-sender names an end point: one of its identities is the user.
    expect(planReplay(forbidden, undefined, table, { ignoreDuplicate: false })).toMatchObject({
      ok: true,
      plan: { user: 'riverside-gp', userFrom: 'itk-sender', senderEndpointId: 'riverside-gp' },
    });
  });

  test('refuses an entry whose sender nobody knows, or whose user is still nobody', () => {
    expect(
      planReplay(unknownSender, [history(record({}))], table, { ignoreDuplicate: false }),
    ).toEqual({
      ok: false,
      reason: 'no sender is known (the message came without a user_id): it cannot be replayed',
    });
    const stranger = record({ brokerUser: 'stranger' });
    expect(
      planReplay(unknownSender, [history(stranger)], table, { ignoreDuplicate: false }),
    ).toEqual({
      ok: false,
      reason:
        'broker user stranger is not an identity of any end point in the routes: ' +
        'add it to the right end point (and reload the router) before replaying',
    });
  });

  test('without the routes, plans with the user alone', () => {
    const origin = record({ brokerUser: 'stranger' });
    expect(
      planReplay(unknownSender, [history(origin)], undefined, { ignoreDuplicate: false }),
    ).toEqual({
      ok: true,
      plan: { entry: unknownSender, user: 'stranger', userFrom: 'store' },
    });
  });
});

describe('planReplay: a message that came through the web-service gateway', () => {
  // the store's record of a gateway call: a sender end point and no broker user
  const viaGateway = record({ senderEndpointId: 'riverside-gp', brokerUser: null });

  test('names the end point the gateway proved, from the store, instead of a user', () => {
    expect(gatewayEndpointOf(viaGateway)).toBe('riverside-gp');
    expect(gatewayEndpointOf(record({ senderEndpointId: 'riverside-gp', brokerUser: 'x' }))).toBe(
      undefined,
    );
    expect(planReplay(forbidden, [history(viaGateway)], table, { ignoreDuplicate: false })).toEqual(
      {
        ok: true,
        plan: {
          entry: forbidden,
          gatewayEndpoint: 'riverside-gp',
          userFrom: 'gateway',
          senderEndpointId: 'riverside-gp',
        },
      },
    );
  });

  test('refuses it when the end point no longer lists a certificate, or is gone', () => {
    const without = { ...table, endpoints: new Map(table.endpoints) };
    without.endpoints.set('riverside-gp', {
      ...table.endpoints.get('riverside-gp')!,
      certificates: [],
    });
    expect(
      planReplay(forbidden, [history(viaGateway)], without, { ignoreDuplicate: false }),
    ).toEqual({
      ok: false,
      reason:
        'end point riverside-gp no longer lists a web-service certificate: a replay of a message it sent through the web-service gateway is not trusted: not replayed',
    });
    const gone = record({ senderEndpointId: 'westfield-gp', brokerUser: null });
    const goneEntry = entryOf({ 'itk-sender': 'westfield-gp', 'itk-tracking-id': TID });
    expect(planReplay(goneEntry, [history(gone)], table, { ignoreDuplicate: false })).toEqual({
      ok: false,
      reason:
        'end point westfield-gp, the web-service sender of the replayed message, is not in the routes: not replayed',
    });
  });

  test('checks the duplicate under that end point', () => {
    const delivered = record({
      senderEndpointId: 'riverside-gp',
      brokerUser: null,
      state: 'delivered',
      outcome: 'delivered',
      completedAt: at(5),
      generation: 1,
    });
    const histories = [history(viaGateway), history(delivered)];
    expect(planReplay(forbidden, histories, table, { ignoreDuplicate: false })).toMatchObject({
      ok: false,
      duplicate: true,
    });
    expect(planReplay(forbidden, histories, table, { ignoreDuplicate: true }).ok).toBe(true);
  });

  test('without the store, an end point with no broker user cannot be named as the sender', () => {
    const wsOnly = { ...table, endpoints: new Map(table.endpoints) };
    wsOnly.endpoints.set('riverside-gp', {
      ...table.endpoints.get('riverside-gp')!,
      identities: [],
    });
    expect(planReplay(forbidden, undefined, wsOnly, { ignoreDuplicate: false })).toEqual({
      ok: false,
      reason:
        'end point riverside-gp has no broker user (it sends through the web-service gateway): ' +
        "only the router's store record of the message can name it as the sender, and none was found",
    });
  });
});

describe('planReplay: the duplicate check', () => {
  const quarantined = record({ senderEndpointId: 'riverside-gp', brokerUser: 'riverside-gp' });
  const delivered = record({
    senderEndpointId: 'riverside-gp',
    brokerUser: 'riverside-gp',
    state: 'delivered',
    outcome: 'delivered',
    completedAt: at(5),
  });

  test('lets a replay of a quarantined attempt through', () => {
    expect(
      planReplay(forbidden, [history(quarantined)], table, { ignoreDuplicate: false }).ok,
    ).toBe(true);
  });

  test('refuses one whose (sender, tracking id) was already processed, unless told to ignore it', () => {
    const histories = [history(delivered), history(record({ brokerUser: 'riverside-gp' }))];
    expect(planReplay(unknownSender, histories, table, { ignoreDuplicate: false })).toEqual({
      ok: false,
      duplicate: true,
      reason:
        `${TID} from riverside-gp was already processed (outcome delivered, 2025-03-01T09:00:05Z): ` +
        'a duplicate, not replayed; replay with --ignore-duplicate to process it again',
    });
    expect(planReplay(unknownSender, histories, table, { ignoreDuplicate: true }).ok).toBe(true);
  });

  test('judges by the latest generation', () => {
    const again = { ...quarantined, id: 'gen-2', generation: 2, completedAt: at(9) };
    const histories = [
      history(quarantined),
      history({ ...delivered, generation: 1 }),
      history(again),
    ];
    expect(planReplay(forbidden, histories, table, { ignoreDuplicate: false }).ok).toBe(true);
    const done = [history(quarantined), history({ ...delivered, generation: 1 })];
    expect(planReplay(forbidden, done, table, { ignoreDuplicate: false })).toMatchObject({
      ok: false,
      duplicate: true,
    });
  });

  test("finds an unreadable message under the router's unreadable key", () => {
    const unreadable = toEntries([
      { content: Buffer.from('<x'), properties: { headers: { 'itk-sender': 'riverside-gp' } } },
    ])[0]!;
    expect(unreadable.trackingId).toBeUndefined();
    expect(storeKeyOf(unreadable)).toBe(unreadable.unreadableKey);
    const origin = record({
      trackingId: unreadable.unreadableKey,
      senderEndpointId: 'riverside-gp',
      brokerUser: 'riverside-gp',
    });
    expect(originRecord(unreadable, [history(origin)])).toBe(origin);
  });
});
