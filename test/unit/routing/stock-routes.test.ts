/** The stock routes/ route the worked example messages the way the product contract describes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  endpointClaimsAddress,
  endpointForIdentity,
  resolve,
  resolveAddress,
  subscribersFor,
} from '../../../src/router/05-routing/index.js';
import { stockTable } from './routing-fixtures.js';

const table = stockTable();

/** The addresses, sender address, service and interaction of an example message. */
function example(name: string) {
  const xml = readFileSync(
    fileURLToPath(new URL(`../../fixtures/examples/${name}`, import.meta.url)),
    'utf8',
  );
  const attribute = (pattern: RegExp): string[] =>
    [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
  return {
    addresses: attribute(/<itk:address uri="([^"]+)"/g),
    sender: attribute(/<itk:senderAddress uri="([^"]+)"/g)[0],
    service: attribute(/<itk:header service="([^"]+)"/g)[0] ?? '',
    interaction: attribute(/key="urn:nhs-itk:ns:201005:interaction" value="([^"]+)"/g)[0],
    planType: attribute(/<planType>([^<]+)</g)[0],
  };
}

test('the care-plan notification: GP to the community team, copied to 111, which also subscribes', () => {
  const message = example('careplan-notification.xml');
  expect(endpointClaimsAddress(table, 'riverside-gp', message.sender ?? '')).toBe(true);
  expect(endpointForIdentity(table, 'riverside-gp')?.id).toBe('riverside-gp');
  expect(resolve(table, { ...message, from: 'riverside-gp' })).toEqual({
    deliveries: [
      { endpointId: 'riverside-community', recipient: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY' },
      { endpointId: 'ooh-111', recipient: 'copy:eolc-copies-to-out-of-hours' },
    ],
    unresolved: [],
    toLocator: false,
    toRouter: false,
  });
  expect(subscribersFor(table, 'end-of-life')).toEqual(['ooh-111']);
});

test('the care-plan update: the community team to the owner (the GP)', () => {
  const message = example('careplan-update.xml');
  expect(resolveAddress(table, message.sender ?? '')).toBe('riverside-community');
  expect(resolve(table, { ...message, from: 'riverside-community' }).deliveries).toEqual([
    { endpointId: 'riverside-gp', recipient: 'urn:nhs-uk:addressing:ods:A83001' },
  ]);
});

test('the locate request: 111 to the locator', () => {
  const message = example('locate-careplans.xml');
  expect(endpointClaimsAddress(table, 'ooh-111', message.sender ?? '')).toBe(true);
  expect(resolve(table, { ...message, from: 'ooh-111' })).toEqual({
    deliveries: [],
    unresolved: [],
    toLocator: true,
    toRouter: false,
  });
});

test("the router's nack goes back to the GP", () => {
  const message = example('infrastructure-nack.xml');
  expect(resolveAddress(table, message.sender ?? '')).toBe('router');
  expect(message.addresses.map((address) => resolveAddress(table, address))).toEqual([
    'riverside-gp',
  ]);
});
