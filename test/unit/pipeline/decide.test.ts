/** decide(): the pure middle of the pipeline, on real messages, the stock routes and the real validator. */
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import { decide } from '../../../src/router/09-pipeline/decide.js';
import { DISPOSITIONS } from '../../../src/router/09-pipeline/dispositions.js';
import { buildRouteTable } from '../../../src/router/05-routing/index.js';
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
import { fixture } from '../../support/fixture-files.js';

const routes = loadRoutes(fileURLToPath(new URL('../../../routes', import.meta.url)));
const table = buildRouteTable(routes, {
  routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  locatorAddress: routes.careplans!.locatorAddress,
});
let validator: Validator;
beforeAll(() => {
  validator = createValidator({ planTypes: new Set(routes.careplans!.planTypes) });
});
afterAll(() => validator.dispose());

const run = (file: string | Buffer, user: string | undefined) =>
  decide(validator.validate(typeof file === 'string' ? fixture(file) : file), user, table);
const notification = () => fixture('examples/careplan-notification.xml').toString('utf8');

describe('decide', () => {
  test('a valid notification from its owner goes to the address list and the copy route', () => {
    const d = run('examples/careplan-notification.xml', 'riverside-gp');
    expect(d.kind).toBe('delivered');
    expect(d.sender?.id).toBe('riverside-gp');
    expect(d.deliveries).toEqual([
      { endpointId: 'riverside-community', recipient: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY' },
      { endpointId: 'ooh-111', recipient: 'copy:eolc-copies-to-out-of-hours' },
    ]);
    expect(d.errors).toEqual([]);
  });

  test('no user_id, or a broker user no end point lists: quarantined with 3000, nothing sent back', () => {
    for (const user of [undefined, 'mallory']) {
      const d = run('examples/careplan-notification.xml', user);
      expect(d.kind).toBe('unknown-sender');
      expect(d.reason?.code).toBe('3000');
      expect(DISPOSITIONS[d.kind]).toMatchObject({ nack: false, quarantine: true });
    }
  });

  test('a sender address the end point does not claim is refused with 3000', () => {
    const d = run('examples/careplan-notification.xml', 'ooh-111');
    expect(d.kind).toBe('forbidden-sender');
    expect(d.errors).toEqual([
      {
        code: '3000',
        diagnostic: 'end point ooh-111 may not send as urn:nhs-uk:addressing:ods:A83001',
      },
    ]);
  });

  test('an invalid message is nacked with every error finding, and not delivered', () => {
    const bad = notification()
      .replace('count="1"', 'count="3"')
      .replace('9434765919', '9434765918');
    const d = run(Buffer.from(bad), 'riverside-gp');
    expect(d.kind).toBe('invalid');
    expect(d.deliveries).toEqual([]);
    expect(d.errors.map((e) => e.code)).toEqual(['DE0006', '1000']);
    expect(d.errors[1]!.diagnostic).toMatch(/^CP-NHS-NUMBER: .*9434765918.*\(line \d+\)$/);
  });

  test('an address that resolves nowhere: DE0003 for it, the others still delivered', () => {
    const two = notification().replace(
      '<itk:address uri="urn:nhs-uk:addressing:ods:RDE01:COMMUNITY"/>',
      '<itk:address uri="urn:nhs-uk:addressing:ods:RDE01:COMMUNITY"/><itk:address uri="urn:nhs-uk:addressing:ods:NOWHERE"/>',
    );
    const d = run(Buffer.from(two), 'riverside-gp');
    expect(d.kind).toBe('partly-delivered');
    expect(d.errors).toEqual([
      {
        code: 'DE0003',
        diagnostic: 'No end point is registered for urn:nhs-uk:addressing:ods:NOWHERE',
      },
    ]);
    expect(d.deliveries.map((x) => x.endpointId)).toEqual(['riverside-community', 'ooh-111']);
  });

  test('a withdrawn service is rejected by its route with the route code', () => {
    const sendDocument = notification().replace(
      'service="urn:itk-router:services:CarePlanNotification-v1-0"',
      'service="urn:nhs-itk:services:201005:SendDocument-v1-0"',
    );
    const d = run(Buffer.from(sendDocument), 'riverside-gp');
    expect(d.kind).toBe('rejected');
    expect(d.errors).toEqual([
      { code: '2200', diagnostic: 'Service withdrawn in this locality (route withdrawn-service)' },
    ]);
  });

  test('a care-plan message to the locator goes to the locator; another message to it is unroutable', () => {
    expect(run('examples/locate-careplans.xml', 'ooh-111')).toMatchObject({
      kind: 'delivered',
      toLocator: true,
      deliveries: [],
    });
    const cda = fixture('valid/cda-document-noncoded.xml').toString('utf8');
    const toLocator = cda.replace(
      /<itk:address uri="[^"]+"\/>/,
      '<itk:address uri="urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR"/>',
    );
    const d = decide(validator.validate(Buffer.from(toLocator)), 'riverside-gp', table);
    expect(d.kind === 'unroutable' || d.kind === 'forbidden-sender').toBe(true);
  });

  test('a failing inf ack is never nacked: it is quarantined', () => {
    const ack = fixture('valid/inf-ack-ok.xml').toString('utf8').replace('count="1"', 'count="2"');
    const d = run(Buffer.from(ack), 'riverside-community');
    expect(d.kind).toBe('failed-acknowledgement');
    expect(DISPOSITIONS[d.kind]).toMatchObject({ nack: false, quarantine: true });
  });

  test('unreadable bytes from a known sender: nacked and quarantined', () => {
    const d = run(Buffer.from('this is not XML'), 'riverside-gp');
    expect(d.kind).toBe('unreadable');
    expect(d.errors[0]?.code).toBe('1000');
    expect(DISPOSITIONS[d.kind]).toMatchObject({ nack: true, quarantine: true });
  });

  test('a web-service call: the end point its certificate proved is the sender, whatever the user_id', () => {
    const withCertificate = buildRouteTable(
      {
        ...routes,
        endpoints: routes.endpoints.map((e) =>
          e.id === 'riverside-gp' ? { ...e, certificates: ['riverside-gp.example.nhs.uk'] } : e,
        ),
      },
      { routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER' },
    );
    const v = validator.validate(fixture('examples/careplan-notification.xml'));
    const proof = { endpointId: 'riverside-gp', certificate: 'riverside-gp.example.nhs.uk' };
    const d = decide(v, undefined, withCertificate, proof);
    expect(d.kind).toBe('delivered');
    expect(d.sender?.id).toBe('riverside-gp');
    // the certificate no longer listed by that end point (routes reloaded since the call): 3000
    expect(decide(v, undefined, table, proof)).toMatchObject({
      kind: 'unknown-sender',
      reason: {
        code: '3000',
        text: 'web-service certificate riverside-gp.example.nhs.uk no longer proves end point riverside-gp',
      },
    });
  });

  test('a quarantine replay of a web-service call: the end point it proved, while it still lists a certificate', () => {
    const withCertificates = (certificates: string[]) =>
      buildRouteTable(
        {
          ...routes,
          endpoints: routes.endpoints.map((e) =>
            e.id === 'riverside-gp' ? { ...e, certificates } : e,
          ),
        },
        { routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER' },
      );
    const v = validator.validate(fixture('examples/careplan-notification.xml'));
    const replayed = { endpointId: 'riverside-gp' }; // no certificate: the store names the end point
    // any certificate it lists now (one renewed since the call, say): the sender
    const d = decide(v, undefined, withCertificates(['sha256:' + 'ab'.repeat(32)]), replayed);
    expect(d.kind).toBe('delivered');
    expect(d.sender?.id).toBe('riverside-gp');
    // its certificates removed from the routes since: refused 3000, saying so
    expect(decide(v, undefined, withCertificates([]), replayed)).toMatchObject({
      kind: 'unknown-sender',
      reason: {
        code: '3000',
        text: 'end point riverside-gp no longer lists a web-service certificate: a replay of a message it sent through the web-service gateway is not trusted',
      },
    });
    // the end point gone from the routes
    expect(decide(v, undefined, table, { endpointId: 'gone-gp' })).toMatchObject({
      kind: 'unknown-sender',
      reason: {
        code: '3000',
        text: 'end point gone-gp, the web-service sender of the replayed message, is not in the routes',
      },
    });
  });
});
