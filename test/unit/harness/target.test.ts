/** The router under test as the router reads it, roles bound to its end points, passwords found. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindRoles, unknownAddress } from '../../../src/tools/harness/bindings.js';
import { HarnessError, loadPack, openTarget } from '../../../src/tools/harness/index.js';
import { faultRules } from '../../../src/tools/harness/selftest-suppliers.js';
import { resolveAddress } from '../../../src/router/05-routing/index.js';

const ROUTES = fileURLToPath(new URL('../../../routes/', import.meta.url));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AMQP_URL: 'amqp://ops:secret@broker.example:5672/locality',
  ITK_ROUTER_ROUTES: ROUTES,
  ...extra,
});

test('the target: broker and vhost from AMQP_URL (password hidden), end points from ITK_ROUTER_ROUTES', () => {
  const target = openTarget({ env: env() });
  expect(target.brokerDisplay).toBe('amqp://ops:***@broker.example:5672/locality');
  expect(target.vhost).toBe('locality');
  expect(target.opsUser).toBe('ops');
  expect(target.quarantine).toBe(false);
  expect([...target.table.endpoints.keys()]).toEqual([
    'riverside-gp',
    'riverside-community',
    'st-marys-hospice',
    'ooh-111',
  ]);
});

test('passwords: given, then a credentials file, then ITK_PASSWORD_<USER>, then ITK_ROUTER_PASSWORD, then the user name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-cred-'));
  const file = path.join(dir, 'credentials');
  fs.writeFileSync(
    file,
    '# user password\nriverside-community\tfrom-file\nooh-111 from file too\n',
  );
  try {
    const target = openTarget({
      env: env({
        ITK_PASSWORD_RIVERSIDE_GP: 'from-env',
        ITK_PASSWORD_OOH_111: 'not-this',
        ITK_ROUTER_PASSWORD: 'shared',
      }),
      passwords: new Map([['st-marys-hospice', 'given']]),
      credentialsFile: file,
    });
    expect(target.passwordOf('st-marys-hospice')).toBe('given');
    expect(target.passwordOf('riverside-community')).toBe('from-file');
    expect(target.passwordOf('ooh-111')).toBe('from file too');
    expect(target.passwordOf('riverside-gp')).toBe('from-env');
    expect(target.passwordOf('someone-else')).toBe('shared');
    expect(target.passwordOf('ops')).toBe('secret');
    expect(openTarget({ env: env() }).passwordOf('riverside-gp')).toBe('riverside-gp');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a router pack plays every end point; addresses resolve to their end point, also under a subtree', () => {
  const target = openTarget({ env: env() });
  const b = bindRoles(loadPack('router-conformance'), target);
  expect(b.underTest).toBeUndefined();
  expect(b.played.map((v) => v.id)).toEqual([
    'riverside-gp',
    'riverside-community',
    'st-marys-hospice',
    'ooh-111',
  ]);
  const community = b.roles.get('community')!;
  expect(community).toMatchObject({
    address: 'urn:nhs-uk:addressing:ods:RDE01:HARNESS',
    identity: 'urn:nhs-uk:identity:ods:RDE01:HARNESS',
    user: 'riverside-community',
    queue: 'itk.endpoint.riverside-community',
  });
  for (const view of b.roles.values())
    expect(resolveAddress(target.table, view.address)).toBe(view.id);
  expect(b.roles.get('hospice')!.acks).toBe('router');
  expect(resolveAddress(target.table, unknownAddress(target))).toBeUndefined();
});

test('a supplier pack plays every end point but the supplier; --role rebinds', () => {
  const target = openTarget({ env: env() });
  const pack = loadPack('supplier-careplans');
  const b = bindRoles(pack, target, {
    supplier: 'ooh-111',
    gp: 'ignored: no such role in this pack',
  });
  expect(b.underTest?.id).toBe('ooh-111');
  expect(b.played.map((v) => v.id)).toEqual([
    'riverside-gp',
    'riverside-community',
    'st-marys-hospice',
  ]);
  expect(() => bindRoles(pack, target, { supplier: 'nobody' })).toThrow(
    /role supplier is end point nobody, which the routes/,
  );
  expect(() => bindRoles(pack, target, { supplier: 'riverside-community' })).toThrow(HarnessError);
});

test('--faulty-simulator: the simulator’s own fault flags', () => {
  expect(faultRules(undefined)).toEqual([]);
  expect(faultRules('ack-acks')).toEqual([{ ackAcks: true }]);
  expect(faultRules('stale-version')).toEqual([{ staleVersion: true }]);
  expect(faultRules('nack:2200')).toEqual([{ nack: { code: '2200' } }]);
  expect(faultRules('delay:2s')).toEqual([{ delayMs: 2000 }]);
  expect(() => faultRules('nack:9999')).toThrow(HarnessError);
  expect(() => faultRules('sneeze')).toThrow(/use one of ack-acks/);
});
