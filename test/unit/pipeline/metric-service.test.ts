/** Issue 12, finding 9: the metrics' service label comes from a bounded set (pure). */
import { metricService } from '../../../src/router/09-pipeline/metric-service.js';
import { buildRouteTable } from '../../../src/router/05-routing/route-table.js';
import type { Routes } from '../../../src/router/01-config/routes-config.js';

const routes = {
  endpoints: [],
  routes: [
    {
      name: 'a',
      when: { service: ['urn:nhs-itk:services:201005:SendDocument-v1-0'] },
      reject: { code: '2200', text: 'x' },
    },
    { name: 'b', when: { service: ['urn:x:one|two', '*SendCDADocument*'] }, copyTo: [] },
  ],
} as unknown as Routes;
const table = buildRouteTable(routes, { routerAddress: 'urn:nhs-uk:addressing:ods:ITKROUTER' });

test.each([
  [
    'urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0',
    'urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0',
  ],
  [
    'urn:itk-router:services:CarePlanNotification-v1-0',
    'urn:itk-router:services:CarePlanNotification-v1-0',
  ],
  [
    'urn:nhs-itk:services:201005:SendDocument-v1-0',
    'urn:nhs-itk:services:201005:SendDocument-v1-0',
  ],
  ['urn:x:one|two', 'urn:x:one|two'], // a literal, whatever its characters
  ['urn:nhs-itk:services:201005:SendCDADocument-v2-0', 'other'], // matched by a glob only
  ['urn:nhs-itk:services:201005:SendCDADocument-v2-0:AAAA', 'other'],
  ['unknown', 'unknown'],
  [' urn:itk-router:services:CarePlanNotification-v1-0', 'other'],
  ['x'.repeat(300), 'other'],
])('%s → %s', (service, label) => {
  expect(metricService(service, table)).toBe(label);
});
