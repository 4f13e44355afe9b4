import {
  carePlanInteraction,
  carePlanService,
  SERVICE,
} from '../../../src/router/03-envelope/itk-names.js';
import { resolve, type ResolveInput } from '../../../src/router/05-routing/index.js';
import { ADDRESS, LOCATOR_ADDRESS, ROUTER_ADDRESS, localityTable } from './routing-fixtures.js';

const table = localityTable();
const CDA = 'urn:nhs-itk:services:201005:SendCDADocument-v2-0';
const notification = (planType: string, from: string, addresses: string[]): ResolveInput => ({
  service: carePlanService('CarePlanNotification'),
  interaction: carePlanInteraction('CarePlanNotification'),
  from,
  addresses,
  planType,
});

describe('resolve: addresses', () => {
  test('each address to its end point, in address-list order, naming the address', () => {
    expect(
      resolve(table, {
        service: CDA,
        from: 'ooh-111',
        addresses: [ADDRESS.hospice, ADDRESS.gp, ADDRESS.nursing],
      }),
    ).toEqual({
      deliveries: [
        { endpointId: 'st-marys-hospice', recipient: ADDRESS.hospice },
        { endpointId: 'riverside-gp', recipient: ADDRESS.gp },
        { endpointId: 'community-nursing', recipient: ADDRESS.nursing },
      ],
      unresolved: [],
      toLocator: false,
      toRouter: false,
    });
  });

  test('addresses that resolve nowhere are listed once each; the others still get the message', () => {
    const resolution = resolve(table, {
      service: CDA,
      from: 'riverside-gp',
      addresses: [ADDRESS.nowhere, ADDRESS.hospice, ADDRESS.communityRoot, ADDRESS.nowhere],
    });
    expect(resolution.unresolved).toEqual([ADDRESS.nowhere, ADDRESS.communityRoot]);
    expect(resolution.deliveries).toEqual([
      { endpointId: 'st-marys-hospice', recipient: ADDRESS.hospice },
    ]);
  });

  test('one delivery per end point: the first address that reached it wins', () => {
    const resolution = resolve(table, {
      service: CDA,
      from: 'riverside-gp',
      addresses: [ADDRESS.community, 'urn:nhs-uk:addressing:ods:RDE01:ADMIN', ADDRESS.community],
    });
    expect(resolution.deliveries).toEqual([
      { endpointId: 'riverside-community', recipient: ADDRESS.community },
    ]);
  });

  test("the locator and the router's own address are flagged, not delivered", () => {
    expect(
      resolve(table, {
        service: CDA,
        from: 'ooh-111',
        addresses: [LOCATOR_ADDRESS, ROUTER_ADDRESS],
      }),
    ).toEqual({
      deliveries: [],
      unresolved: [],
      toLocator: true,
      toRouter: true,
    });
  });
});

describe('resolve: copy routes', () => {
  test('copyTo adds recipients after the addresses, named copy:<route>', () => {
    const resolution = resolve(
      table,
      notification('end-of-life', 'riverside-gp', [ADDRESS.hospice]),
    );
    expect(resolution.deliveries).toEqual([
      { endpointId: 'st-marys-hospice', recipient: ADDRESS.hospice },
      { endpointId: 'ooh-111', recipient: 'copy:eolc-copies-to-out-of-hours' },
    ]);
  });

  test('an end point reached by its address and by copies gets one delivery, for its address', () => {
    const resolution = resolve(
      table,
      notification('end-of-life', 'riverside-gp', [ADDRESS.ooh, ADDRESS.community]),
    );
    expect(resolution.deliveries).toEqual([
      { endpointId: 'ooh-111', recipient: ADDRESS.ooh },
      { endpointId: 'riverside-community', recipient: ADDRESS.community },
      // hospice-hears-about-community-plans copies to st-marys-hospice and ooh-111 (already there)
      { endpointId: 'st-marys-hospice', recipient: 'copy:hospice-hears-about-community-plans' },
    ]);
  });

  test('a copy never goes back to the sender', () => {
    const resolution = resolve(table, notification('end-of-life', 'ooh-111', [ADDRESS.gp]));
    expect(resolution.deliveries).toEqual([{ endpointId: 'riverside-gp', recipient: ADDRESS.gp }]);
  });

  test('all conditions must hold: a different plan type or interaction gets no copy', () => {
    const falls = resolve(table, notification('falls', 'riverside-gp', [ADDRESS.hospice]));
    expect(falls.deliveries.map((delivery) => delivery.endpointId)).toEqual(['st-marys-hospice']);
    const update = resolve(table, {
      ...notification('end-of-life', 'riverside-gp', [ADDRESS.hospice]),
      interaction: carePlanInteraction('CarePlanUpdate'),
    });
    expect(update.deliveries.map((delivery) => delivery.endpointId)).toEqual(['st-marys-hospice']);
  });

  test('a condition on a value the message lacks does not hold', () => {
    const withoutInteraction: ResolveInput = {
      service: SERVICE.sendDistEnvelope,
      from: 'riverside-gp',
      addresses: [ADDRESS.hospice],
      planType: 'end-of-life',
    };
    expect(resolve(table, withoutInteraction).deliveries.map((d) => d.endpointId)).toEqual([
      'st-marys-hospice',
    ]);
  });

  test('globs in service and to: any care-plan service to any RDE01 address', () => {
    const request = resolve(table, {
      service: carePlanService('CarePlanRequest'),
      from: 'riverside-gp',
      addresses: [ADDRESS.ward7],
    });
    expect(request.deliveries).toEqual([
      { endpointId: 'ward-7', recipient: ADDRESS.ward7 },
      { endpointId: 'st-marys-hospice', recipient: 'copy:hospice-hears-about-community-plans' },
      { endpointId: 'ooh-111', recipient: 'copy:hospice-hears-about-community-plans' },
    ]);
    const generic = resolve(table, {
      service: SERVICE.sendDistEnvelope,
      from: 'riverside-gp',
      addresses: [ADDRESS.ward7],
    });
    expect(generic.deliveries).toEqual([{ endpointId: 'ward-7', recipient: ADDRESS.ward7 }]);
  });

  test('glob lists in planType and from: riverside-* senders, social-care or mental-* plans', () => {
    const copiedTo = (planType: string, from: string): string[] =>
      resolve(table, notification(planType, from, [ADDRESS.gp]))
        .deliveries.filter(
          (delivery) => delivery.recipient === 'copy:social-care-plans-to-social-care',
        )
        .map((delivery) => delivery.endpointId);
    expect(copiedTo('social-care', 'riverside-community')).toEqual(['social-care']);
    expect(copiedTo('mental-health-crisis', 'riverside-gp')).toEqual(['social-care']);
    expect(copiedTo('mental-health-crisis', 'ooh-111')).toEqual([]);
    expect(copiedTo('dementia', 'riverside-gp')).toEqual([]);
  });
});

describe('resolve: reject routes', () => {
  test('a matching reject refuses the whole message, whatever else matched', () => {
    const resolution = resolve(table, {
      service: 'urn:nhs-itk:services:201005:SendDocument-v1-0',
      from: 'riverside-gp',
      addresses: [ADDRESS.hospice, ADDRESS.nowhere],
    });
    expect(resolution).toEqual({
      deliveries: [],
      unresolved: [],
      toLocator: false,
      toRouter: false,
      rejectedBy: {
        route: 'withdrawn-service',
        code: '2200',
        text: 'Service withdrawn in this locality',
      },
    });
  });

  test('a reject limited to one sender and a service glob', () => {
    const fromWard = resolve(table, { service: CDA, from: 'ward-7', addresses: [ADDRESS.gp] });
    expect(fromWard.rejectedBy).toEqual({
      route: 'ward-7-may-not-send-cda',
      code: '3000',
      text: 'Ward 7 may not send CDA documents',
    });
    const fromGp = resolve(table, {
      service: CDA,
      from: 'riverside-gp',
      addresses: [ADDRESS.ward7],
    });
    expect(fromGp.rejectedBy).toBeUndefined();
    expect(fromGp.deliveries).toEqual([{ endpointId: 'ward-7', recipient: ADDRESS.ward7 }]);
  });
});

describe('resolve: results', () => {
  test('are frozen', () => {
    const resolution = resolve(
      table,
      notification('end-of-life', 'riverside-gp', [ADDRESS.hospice, ADDRESS.nowhere]),
    );
    expect(Object.isFrozen(resolution)).toBe(true);
    expect(Object.isFrozen(resolution.deliveries)).toBe(true);
    expect(Object.isFrozen(resolution.deliveries[0])).toBe(true);
    expect(Object.isFrozen(resolution.unresolved)).toBe(true);
  });
});
