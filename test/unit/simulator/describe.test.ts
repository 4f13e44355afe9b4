/** One line per message received and sent: plain English with the tracking ids. */
import { describeReceived, describeSent } from '../../../src/tools/simulator/describe.js';
import { emptyState } from '../../../src/tools/simulator/plan-store.js';
import { COMMUNITY, GP, receive, run, seedPlan, useValidator } from './simulator-fixtures.js';

const v = useValidator();

test.each([
  [
    'valid/careplan-notification-created.xml',
    'received a care plan notification (created: plan 98662F45-278C-4E3F-B3E9-5F483ED579F5 version 1) from urn:nhs-uk:addressing:ods:HOSP01 [tracking id ED1E68E3-A035-41A4-A34E-9B6FD1588F16]; asks for an inf ack and a business ack',
  ],
  [
    'valid/careplan-request-by-nhsnumber.xml',
    'received a care plan request for the end-of-life plan of NHS number 9990001235 from urn:nhs-uk:addressing:ods:NWAS111 [tracking id ABA01CF3-D6EF-4E53-B590-78E963D39A76]; asks for an inf ack',
  ],
  [
    'valid/careplan-update-named.xml',
    'received a care plan update of plan 0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B on version 2 from urn:nhs-uk:addressing:ods:HOSP01 [tracking id FDF23790-281A-42E5-955F-B3D4BEB1BD34]; asks for an inf ack',
  ],
  [
    'valid/inf-ack-failure.xml',
    'received an inf nack (2100) of 3487DD91-2D2D-44DB-BBA5-D6FE1709A440 from urn:nhs-uk:addressing:ods:RDE01:COMMUNITY [tracking id 56F29487-5AEA-498F-BC3D-EED0436BFB40]',
  ],
  [
    'valid/business-ack-ar.xml',
    expect.stringMatching(
      /^received a business ack AR of [0-9A-F-]{36} from urn:nhs-uk:addressing:ods:RDE01:COMMUNITY \[tracking id DDB3177C-799E-46F0-90DF-428188AEB899\]; asks for an inf ack$/,
    ),
  ],
  [
    'broken/de0003-address-not-itk-format.xml',
    expect.stringMatching(/; INVALID: DE0003 DE-ADDRESS-FORMAT: .+$/),
  ],
  [
    'broken/xml-wellformed-plain-text.xml',
    expect.stringMatching(/^received an unreadable message; INVALID: 1000 /),
  ],
])('%s', (file, line) => {
  expect(describeReceived(receive(v(), file))).toEqual(line);
});

test('a sent line names what it is, what it answers, where it goes and its own tracking id', () => {
  const state = emptyState([seedPlan(v(), 'examples/careplan-notification.xml')]);
  const r = run(receive(v(), 'valid/careplan-request-by-planid.xml'), GP, state);
  expect(r.outgoing.map(describeSent)).toEqual([
    `sent inf ack (OK) in reply to 13B801DA-5A5C-4568-84FE-59E3998DA9A4, to urn:nhs-uk:addressing:ods:NWAS111 [tracking id ${r.outgoing[0]!.trackingId}]`,
    `sent care plan response (found: plan 0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B version 1) in reply to 13B801DA-5A5C-4568-84FE-59E3998DA9A4, to urn:nhs-uk:addressing:ods:NWAS111 [tracking id ${r.outgoing[1]!.trackingId}]`,
  ]);
  const nack = run(
    receive(v(), 'valid/careplan-notification-created.xml'),
    COMMUNITY,
    emptyState(),
    [{ nack: { code: '2200', text: 'we are closed' } }],
  ).outgoing[0]!;
  expect(describeSent(nack)).toMatch(
    /^sent inf nack \(2200\): we are closed in reply to ED1E68E3-/,
  );
});
