import { buildRouteTable, resolveAddress } from '../../../src/router/05-routing/index.js';
import { compileGlobs } from '../../../src/router/00-common/glob.js';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import { fileURLToPath } from 'node:url';
import { ADDRESS, LOCATOR_ADDRESS, ROUTER_ADDRESS, localityTable } from './routing-fixtures.js';

describe('buildRouteTable', () => {
  const table = localityTable();

  test('indexes addresses, subtrees (longest first) and identities', () => {
    expect(table.routerAddress).toBe(ROUTER_ADDRESS);
    expect(table.locatorAddress).toBe(LOCATOR_ADDRESS);
    expect(table.subtrees).toEqual([
      { prefix: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:', endpointId: 'community-nursing' },
      { prefix: 'urn:nhs-uk:addressing:ods:RDE01:', endpointId: 'riverside-community' },
    ]);
    expect(table.exactAddresses.get(ADDRESS.ward7)).toBe('ward-7');
    expect(table.identities.get('riverside-gp-backup')).toBe('riverside-gp');
    expect(table.rules.map((rule) => rule.name)).toEqual([
      'eolc-copies-to-out-of-hours',
      'withdrawn-service',
      'hospice-hears-about-community-plans',
      'social-care-plans-to-social-care',
      'ward-7-may-not-send-cda',
    ]);
  });

  test('is immutable, maps included', () => {
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.rules[0])).toBe(true);
    expect(() =>
      (table.exactAddresses as Map<string, string>).set(ADDRESS.nowhere, 'riverside-gp'),
    ).toThrow(TypeError);
    expect(() => (table.identities as Map<string, string>).delete('riverside-gp')).toThrow(
      TypeError,
    );
    expect(() => (table.endpoints as Map<string, unknown>).clear()).toThrow(TypeError);
    expect(resolveAddress(table, ADDRESS.nowhere)).toBeUndefined();
  });

  test('the locator address can be given explicitly', () => {
    const routes = loadRoutes(
      fileURLToPath(new URL('../../fixtures/config/routing-locality', import.meta.url)),
    );
    const other = buildRouteTable(routes, {
      routerAddress: ROUTER_ADDRESS,
      locatorAddress: 'urn:nhs-uk:addressing:ods:LOC2',
    });
    expect(resolveAddress(other, 'urn:nhs-uk:addressing:ods:LOC2')).toBe('locator');
    expect(resolveAddress(other, LOCATOR_ADDRESS)).toBeUndefined();
  });
});

describe('compileGlobs', () => {
  test('* matches any run of characters, colons included, or none', () => {
    const glob = compileGlobs(['urn:nhs-uk:addressing:ods:RDE01:*']);
    expect(glob.test('urn:nhs-uk:addressing:ods:RDE01:A:B:C')).toBe(true);
    expect(glob.test('urn:nhs-uk:addressing:ods:RDE01:')).toBe(true);
    expect(glob.test('urn:nhs-uk:addressing:ods:RDE01')).toBe(false);
    expect(
      compileGlobs(['*SendCDA*']).test('urn:nhs-itk:services:201005:SendCDADocument-v2-0'),
    ).toBe(true);
  });

  test('everything else is literal and the whole value must match', () => {
    const glob = compileGlobs(['a.b', 'c+(d)']);
    expect(glob.test('a.b')).toBe(true);
    expect(glob.test('axb')).toBe(false);
    expect(glob.test('c+(d)')).toBe(true);
    expect(glob.test('cc(d)')).toBe(false);
    expect(glob.test('xa.b')).toBe(false);
    expect(glob.test('a.bx')).toBe(false);
  });
});
