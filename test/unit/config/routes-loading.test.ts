import { join } from 'node:path';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import { FIXTURES, ROOT, problemsOf } from './config-fixtures.js';

describe('loadRoutes: the stock routes/', () => {
  const routes = loadRoutes(join(ROOT, 'routes'));

  test('reads every *.yaml in file-name order', () => {
    expect(routes.folder).toBe(join(ROOT, 'routes'));
    expect(routes.files).toEqual(
      ['careplans.yaml', 'endpoints.yaml', 'routes.yaml'].map((name) => join(ROOT, 'routes', name)),
    );
  });

  test('has the locality end points, with acks defaulting to endpoint', () => {
    expect(
      routes.endpoints.map(({ id, addresses, identities, acks }) => ({
        id,
        addresses,
        identities,
        acks,
      })),
    ).toEqual([
      {
        id: 'riverside-gp',
        addresses: ['urn:nhs-uk:addressing:ods:A83001'],
        identities: ['riverside-gp'],
        acks: 'endpoint',
      },
      {
        id: 'riverside-community',
        addresses: ['urn:nhs-uk:addressing:ods:RDE01:*'],
        identities: ['riverside-community'],
        acks: 'endpoint',
      },
      {
        id: 'st-marys-hospice',
        addresses: ['urn:nhs-uk:addressing:ods:HOSP01'],
        identities: ['st-marys-hospice'],
        acks: 'router',
      },
      {
        id: 'ooh-111',
        addresses: ['urn:nhs-uk:addressing:ods:NWAS111'],
        identities: ['ooh-111'],
        acks: 'endpoint',
      },
    ]);
    expect(routes.endpoints[0]).toMatchObject({
      name: 'Riverside Medical Practice',
      source: { file: join(ROOT, 'routes/endpoints.yaml'), line: 5 },
    });
  });

  test('has the two example routes of the product contract, conditions as lists', () => {
    expect(routes.routes.map(({ source: _source, ...rule }) => rule)).toEqual([
      {
        name: 'eolc-copies-to-out-of-hours',
        when: {
          interaction: ['urn:itk-router:interaction:CarePlanNotification-v1-0'],
          planType: ['end-of-life'],
        },
        copyTo: ['ooh-111'],
      },
      {
        name: 'withdrawn-service',
        when: { service: ['urn:nhs-itk:services:201005:SendDocument-v1-0'] },
        reject: { code: '2200', text: 'Service withdrawn in this locality' },
      },
    ]);
  });

  test('has the care-plan service with the six plan types', () => {
    expect(routes.careplans).toEqual({
      locatorAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR',
      planTypes: [
        'end-of-life',
        'long-term-condition',
        'falls',
        'dementia',
        'mental-health-crisis',
        'social-care',
      ],
      subscriptions: [{ endpoint: 'ooh-111', planTypes: ['end-of-life'] }],
      source: { file: join(ROOT, 'routes/careplans.yaml'), line: 4 },
    });
  });

  test('is deeply frozen', () => {
    expect(Object.isFrozen(routes.endpoints)).toBe(true);
    expect(Object.isFrozen(routes.endpoints[0]?.addresses)).toBe(true);
    expect(Object.isFrozen(routes.routes[0]?.when.planType)).toBe(true);
    expect(Object.isFrozen(routes.careplans?.subscriptions[0])).toBe(true);
  });

  test('an end point claiming the router address given by the config is refused', () => {
    const problems = problemsOf(() =>
      loadRoutes(join(ROOT, 'routes'), { routerAddress: 'urn:nhs-uk:addressing:ods:NWAS111' }),
    );
    expect(problems.map(({ line, key, message }) => ({ line, key, message }))).toEqual([
      {
        line: 27,
        key: 'endpoints.ooh-111.addresses[0]',
        message: `"urn:nhs-uk:addressing:ods:NWAS111" is the router's own address (router.address)`,
      },
    ]);
  });
});

describe('loadRoutes: folders', () => {
  test('a folder that does not exist', () => {
    expect(problemsOf(() => loadRoutes(join(FIXTURES, 'no-such-folder')))).toEqual([
      { file: 'no-such-folder', key: '', message: 'cannot read the routes folder (ENOENT)' },
    ]);
  });

  test('a folder with no *.yaml file', () => {
    expect(problemsOf(() => loadRoutes(join(FIXTURES, 'routes-no-files')))).toEqual([
      { file: 'routes-no-files', key: '', message: 'no *.yaml route files in the folder' },
    ]);
  });
});
