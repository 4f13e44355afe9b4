import {
  endpointClaimsAddress,
  endpointForIdentity,
  resolveAddress,
  subscribersFor,
} from '../../../src/router/05-routing/index.js';
import { ADDRESS, LOCATOR_ADDRESS, ROUTER_ADDRESS, localityTable } from './routing-fixtures.js';

const table = localityTable();

describe('resolveAddress', () => {
  test.each([
    ['an exact address', ADDRESS.gp, 'riverside-gp'],
    ['an address under a subtree', ADDRESS.community, 'riverside-community'],
    ['the longest (most specific) subtree', ADDRESS.nursing, 'community-nursing'],
    ['an exact address before any subtree', ADDRESS.ward7, 'ward-7'],
    ['below an exact address, the subtree around it', ADDRESS.ward7Bed, 'community-nursing'],
    [
      "an end point's second address",
      'urn:nhs-uk:addressing:ods:HOSP01:DAYCARE',
      'st-marys-hospice',
    ],
    ['the care-plan locator', LOCATOR_ADDRESS, 'locator'],
    ["the router's own address", ROUTER_ADDRESS, 'router'],
  ])('%s', (_what, address, expected) => {
    expect(resolveAddress(table, address)).toBe(expected);
  });

  test.each([
    ['an address nobody claims', ADDRESS.nowhere],
    ['the root of a subtree (a subtree holds what is below it)', ADDRESS.communityRoot],
    ['an address that only starts like a subtree', 'urn:nhs-uk:addressing:ods:RDE011:X'],
    ['a different case (addresses compare exactly)', ADDRESS.gp.toLowerCase()],
    ['an empty string', ''],
  ])('%s resolves nowhere', (_what, address) => {
    expect(resolveAddress(table, address)).toBeUndefined();
  });
});

describe('endpointClaimsAddress', () => {
  test('its exact address, and an address under its subtree, even where a narrower end point receives', () => {
    expect(endpointClaimsAddress(table, 'riverside-gp', ADDRESS.gp)).toBe(true);
    expect(endpointClaimsAddress(table, 'riverside-community', ADDRESS.community)).toBe(true);
    expect(endpointClaimsAddress(table, 'riverside-community', ADDRESS.ward7)).toBe(true);
    expect(endpointClaimsAddress(table, 'community-nursing', ADDRESS.ward7Bed)).toBe(true);
  });

  test("not another end point's address, not a subtree's root, not for an unknown end point", () => {
    expect(endpointClaimsAddress(table, 'riverside-gp', ADDRESS.hospice)).toBe(false);
    expect(endpointClaimsAddress(table, 'community-nursing', ADDRESS.community)).toBe(false);
    expect(endpointClaimsAddress(table, 'riverside-community', ADDRESS.communityRoot)).toBe(false);
    expect(endpointClaimsAddress(table, 'nobody', ADDRESS.gp)).toBe(false);
  });
});

describe('endpointForIdentity', () => {
  test('each broker user an end point lists', () => {
    expect(endpointForIdentity(table, 'riverside-gp')?.id).toBe('riverside-gp');
    expect(endpointForIdentity(table, 'riverside-gp-backup')?.id).toBe('riverside-gp');
    expect(endpointForIdentity(table, 'st-marys-hospice')).toMatchObject({
      id: 'st-marys-hospice',
      name: "St Mary's Hospice",
      acks: 'router',
    });
  });

  test('no end point for an unknown user (or an end point id that is not a user)', () => {
    expect(endpointForIdentity(table, 'guest')).toBeUndefined();
    expect(endpointForIdentity(table, 'RIVERSIDE-GP')).toBeUndefined();
  });
});

describe('subscribersFor', () => {
  test('each subscriber once, in subscription order', () => {
    expect(subscribersFor(table, 'end-of-life')).toEqual(['ooh-111', 'social-care']);
    expect(subscribersFor(table, 'mental-health-crisis')).toEqual(['ooh-111']);
    expect(subscribersFor(table, 'social-care')).toEqual(['social-care']);
  });

  test('nobody for a plan type without subscribers', () => {
    expect(subscribersFor(table, 'falls')).toEqual([]);
    expect(subscribersFor(table, 'no-such-type')).toEqual([]);
  });
});
