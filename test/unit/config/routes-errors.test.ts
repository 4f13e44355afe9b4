import { join } from 'node:path';
import { loadRoutes, type ConfigProblem } from '../../../src/router/01-config/index.js';
import { FIXTURES, problemsOf } from './config-fixtures.js';

/** The problems of a broken routes fixture, as `file:line key: message`. */
const refusal = (name: string): string[] =>
  problemsOf(() => loadRoutes(join(FIXTURES, name))).map(
    (problem: ConfigProblem) =>
      `${problem.file}:${problem.line} ${problem.key}: ${problem.message}`,
  );

describe('loadRoutes refuses bad route files, naming file, line and key', () => {
  test('web services: a delivery URL not https, a certificate listed twice (in any spelling), a client certificate without its key', () => {
    expect(refusal('routes-web-services')).toEqual([
      'routes-web-services/endpoints.yaml:8 endpoints.westfield-gp.delivery.url: must be an https:// URL (web services have no plain-HTTP mode), got "http://westfield.example.nhs.uk/itk"',
      'routes-web-services/endpoints.yaml:12 endpoints.eastfield-gp.certificates[0]: certificate "westfield-gp.example.nhs.uk" is already listed by end point "westfield-gp" at test/fixtures/config/routes-web-services/endpoints.yaml:7',
      'routes-web-services/endpoints.yaml:13 endpoints.eastfield-gp.delivery.tls.cert: a client certificate needs both cert and key',
      'routes-web-services/endpoints.yaml:17 endpoints.northfield-gp.certificates[0]: certificate "sha256:abcd" is already listed by end point "eastfield-gp" at test/fixtures/config/routes-web-services/endpoints.yaml:12',
    ]);
  });

  test('an unknown key (a typo) and the required key it hid', () => {
    expect(refusal('routes-unknown-key')).toEqual([
      'routes-unknown-key/endpoints.yaml:2 endpoints.riverside-gp: missing required key "addresses"',
      'routes-unknown-key/endpoints.yaml:4 endpoints.riverside-gp.adresses: unknown key (allowed: name, addresses, identities, certificates, delivery, acks)',
    ]);
  });

  test('bad types, enums, ids and a * inside an address', () => {
    expect(refusal('routes-bad-type')).toEqual([
      'routes-bad-type/endpoints.yaml:5 endpoints.riverside-gp.identities: must be array, got "riverside-gp"',
      'routes-bad-type/endpoints.yaml:6 endpoints.riverside-gp.acks: must be one of endpoint, router, got "sometimes"',
      'routes-bad-type/endpoints.yaml:7 endpoints.Riverside_Hospice: key "Riverside_Hospice" must match ^[a-z0-9-]+$',
      'routes-bad-type/endpoints.yaml:9 endpoints.Riverside_Hospice.addresses[0]: must match ^[^\\s*]+(:\\*)?$, got "urn:nhs-uk:addressing:*:HOSP01"',
    ]);
  });

  test('YAML syntax errors in two files, including a repeated key', () => {
    expect(refusal('routes-yaml-syntax')).toEqual([
      'routes-yaml-syntax/endpoints.yaml:5 endpoints.riverside-gp.addresses[0]: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'routes-yaml-syntax/routes.yaml:6 routes[1].name: YAML syntax error: Map keys must be unique',
    ]);
  });

  test('copyTo, from and subscriptions naming end points that are not defined (in another file)', () => {
    expect(refusal('routes-undefined-endpoint')).toEqual([
      'routes-undefined-endpoint/routes.yaml:3 routes[0].when.from[1]: end point "riverside-hospice" is not defined',
      'routes-undefined-endpoint/routes.yaml:4 routes[0].copyTo[1]: end point "nobody" is not defined',
      'routes-undefined-endpoint/routes.yaml:10 careplans.subscriptions[1].endpoint: end point "out-of-hours" is not defined',
    ]);
  });

  test('plan types not in careplans.planTypes, literal or glob', () => {
    expect(refusal('routes-undefined-plan-type')).toEqual([
      'routes-undefined-plan-type/all.yaml:9 routes[0].when.planType: plan type "palliative" is not in careplans.planTypes',
      'routes-undefined-plan-type/all.yaml:12 routes[1].when.planType[1]: "frail*" matches no plan type',
      'routes-undefined-plan-type/all.yaml:19 careplans.subscriptions[0].planTypes[1]: plan type "frailty" is not in careplans.planTypes',
    ]);
  });

  test('two end points claiming one address, exact or the same subtree, across files', () => {
    expect(refusal('routes-duplicate-address')).toEqual([
      'routes-duplicate-address/b-gp.yaml:4 endpoints.riverside-gp.addresses[0]: address "urn:nhs-uk:addressing:ods:A83001" is already claimed by end point "riverside-community" at test/fixtures/config/routes-duplicate-address/a-community.yaml:6',
      'routes-duplicate-address/b-gp.yaml:10 endpoints.community-nursing.addresses[1]: address "urn:nhs-uk:addressing:ods:RDE01:*" is already claimed by end point "riverside-community" at test/fixtures/config/routes-duplicate-address/a-community.yaml:5',
    ]);
  });

  test('an identity listed by two end points', () => {
    expect(refusal('routes-duplicate-identity')).toEqual([
      'routes-duplicate-identity/endpoints.yaml:11 endpoints.riverside-community.identities[1]: identity "shared-user" is already listed by end point "riverside-gp" at test/fixtures/config/routes-duplicate-identity/endpoints.yaml:5',
    ]);
  });

  test('one end point id defined in two files', () => {
    expect(refusal('routes-duplicate-endpoint')).toEqual([
      'routes-duplicate-endpoint/b.yaml:3 endpoints.riverside-gp: end point "riverside-gp" is already defined at test/fixtures/config/routes-duplicate-endpoint/a.yaml:2',
    ]);
  });

  test('two careplans sections', () => {
    expect(refusal('routes-two-careplans')).toEqual([
      'routes-two-careplans/b.yaml:6 careplans: a careplans section is already defined at test/fixtures/config/routes-two-careplans/a.yaml:1; only one file may have one',
    ]);
  });

  test("a reserved id, the router's own address and the locator address", () => {
    expect(refusal('routes-reserved-addresses')).toEqual([
      'routes-reserved-addresses/all.yaml:2 endpoints.locator: end point id "locator" is reserved for the router',
      `routes-reserved-addresses/all.yaml:9 endpoints.impostor.addresses[0]: "urn:nhs-uk:addressing:ods:ITKROUTER" is the router's own address (router.address)`,
      'routes-reserved-addresses/all.yaml:10 endpoints.impostor.addresses[1]: "urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR" is the care-plan locator address (careplans.locatorAddress)',
    ]);
  });

  test('a route with both copyTo and reject, with neither, an unknown code, a repeated name', () => {
    expect(refusal('routes-route-shape')).toEqual([
      'routes-route-shape/all.yaml:9 routes[0].reject: a route has copyTo or reject, not both',
      'routes-route-shape/all.yaml:10 routes[1]: a route needs copyTo or reject',
      'routes-route-shape/all.yaml:13 routes[2].reject.code: "9999" is not an ITK error code (one of 1000, 2100, 2200, 3000, DE0001, DE0002, DE0003, DE0004, DE0005, DE0006, DE0007, DE0008, DE0009, DE0010, DE0011, DE0012)',
      'routes-route-shape/all.yaml:14 routes[3].name: route name "both" is already used at test/fixtures/config/routes-route-shape/all.yaml:7',
    ]);
  });

  test('shape and reference problems in one round, no cascade from what the refused file defines', () => {
    expect(refusal('routes-schema-and-references')).toEqual([
      'routes-schema-and-references/a-endpoints.yaml:4 endpoints.riverside-gp.addresses: must be array, got "urn:nhs-uk:addressing:ods:A83001"',
      'routes-schema-and-references/b-routes.yaml:3 routes[0].copyTo[1]: end point "nobody" is not defined',
    ]);
  });

  test('problems carry the column too', () => {
    const [problem] = problemsOf(() => loadRoutes(join(FIXTURES, 'routes-undefined-endpoint')));
    expect(problem).toEqual({
      file: 'routes-undefined-endpoint/routes.yaml',
      line: 3,
      column: 34,
      key: 'routes[0].when.from[1]',
      message: 'end point "riverside-hospice" is not defined',
    });
  });
});
