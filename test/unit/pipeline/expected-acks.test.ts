/** expectedAcks(): which acks a delivered message waits for, from whom, by when. */
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import type { Envelope } from '../../../src/router/03-envelope/envelope.js';
import { SERVICE, SPEC_KEY } from '../../../src/router/03-envelope/itk-names.js';
import { expectedAcks } from '../../../src/router/09-pipeline/expected-acks.js';
import { buildRouteTable } from '../../../src/router/05-routing/index.js';

const routes = loadRoutes(fileURLToPath(new URL('../../../routes', import.meta.url)));
const table = buildRouteTable(routes, {
  routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  locatorAddress: routes.careplans!.locatorAddress,
});
const timeouts = { infAckTimeoutSeconds: 300, busAckTimeoutSeconds: 86_400 };
const at = new Date('2025-03-01T09:00:00.000Z');
const after = (s: number) => new Date(at.getTime() + s * 1000);

const envelope = (specs: Record<string, string>, service: string = SERVICE.sendDistEnvelope) =>
  ({
    service,
    trackingId: 'T',
    handlingSpecs: Object.entries(specs).map(([key, value]) => ({ key, value })),
  }) as unknown as Envelope;
const both = { [SPEC_KEY.infAckRequested]: 'true', [SPEC_KEY.busAckRequested]: 'true' };

describe('expectedAcks', () => {
  test('an inf ack and a business ack from each recipient, each with its deadline', () => {
    expect(
      expectedAcks(envelope(both), ['riverside-community', 'riverside-gp'], table, timeouts, at),
    ).toEqual([
      { kind: 'inf', endpointId: 'riverside-community', dueAt: after(300) },
      { kind: 'inf', endpointId: 'riverside-gp', dueAt: after(300) },
      { kind: 'bus', endpointId: 'riverside-community', dueAt: after(86_400) },
      { kind: 'bus', endpointId: 'riverside-gp', dueAt: after(86_400) },
    ]);
  });

  test('no inf ack from an `acks: router` end point: the router sent it; its business ack still', () => {
    expect(expectedAcks(envelope(both), ['st-marys-hospice'], table, timeouts, at)).toEqual([
      { kind: 'bus', endpointId: 'st-marys-hospice', dueAt: after(86_400) },
    ]);
  });

  test('only what was asked for: "true" in any case and spacing; false or absent asks nothing', () => {
    const inf = envelope({
      [SPEC_KEY.infAckRequested]: ' TRUE ',
      [SPEC_KEY.busAckRequested]: 'false',
    });
    expect(expectedAcks(inf, ['riverside-gp'], table, timeouts, at)).toEqual([
      { kind: 'inf', endpointId: 'riverside-gp', dueAt: after(300) },
    ]);
    expect(expectedAcks(envelope({}), ['riverside-gp'], table, timeouts, at)).toEqual([]);
  });

  test('never for an ack, nor without timeouts, an envelope or recipients; once per recipient', () => {
    for (const service of [SERVICE.infAck, SERVICE.busAck])
      expect(expectedAcks(envelope(both, service), ['riverside-gp'], table, timeouts, at)).toEqual(
        [],
      );
    expect(expectedAcks(envelope(both), ['riverside-gp'], table, undefined, at)).toEqual([]);
    expect(expectedAcks(undefined, ['riverside-gp'], table, timeouts, at)).toEqual([]);
    expect(expectedAcks(envelope(both), [], table, timeouts, at)).toEqual([]);
    expect(
      expectedAcks(envelope(both), ['riverside-gp', 'riverside-gp'], table, timeouts, at),
    ).toHaveLength(2);
  });
});
