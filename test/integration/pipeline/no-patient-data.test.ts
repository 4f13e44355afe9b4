/**
 * Patient data stays out of what the router ships to log and metrics platforms
 * (docs/clinical-safety/hazard-log.md, H12 control 1; docs/operations.md, "Logs"): for a care plan
 * delivered, refused by a care-plan rule and refused by a route, the router's log lines at debug
 * level and its /metrics name tracking ids, end points and codes, never the patient's NHS number,
 * name or date of birth, nor the plan's title or care team.
 */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/router/00-common/logger.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { fixture } from '../../support/fixture-files.js';

const lines: string[] = [];
const stream = new PassThrough();
stream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(line);
});
const h = useRouterHarness({ logger: createLogger('debug', stream) });
const Q = (id: string) => h.queue(id);

const EXAMPLE = fixture('examples/careplan-notification.xml').toString('utf8');
/** What the example carries about the patient and the plan. */
const PATIENT_DATA = [
  '9434765919', // NHS number
  'Jane Example', // name
  '1941-03-02', // date of birth
  'Anticipatory care plan', // title
  'Dr Ann Patel', // care team, author
  'Sam Green',
];

function withTrackingId(xml: string, trackingId: string): string {
  return xml.replace(/trackingid="[^"]+"/, `trackingid="${trackingId}"`);
}

const upperUuid = () => crypto.randomUUID().toUpperCase();

test('the example carries every value the test looks for', () => {
  for (const value of PATIENT_DATA) expect(EXAMPLE).toContain(value);
});

test('a delivered care plan, a stale version refused by a care-plan rule and a duplicate: no patient data in the logs or /metrics', async () => {
  const first = upperUuid();
  await h.publish('gp', withTrackingId(EXAMPLE, first));
  await h.takeOne(Q('riverside-community'), 15000);
  await h.takeOne(Q('ooh-111'), 15000);
  // the same version again under a new tracking id: refused (version must increase), a nack
  const stale = upperUuid();
  await h.publish('gp', withTrackingId(EXAMPLE, stale));
  const nack = await h.takeOne(Q('riverside-gp'), 15000);
  expect(nack.content.toString()).toContain(stale);
  // the first again: a duplicate
  await h.publish('gp', withTrackingId(EXAMPLE, first));
  await h.waitForStory(
    first,
    (s) => s.messages[0]!.events.some((e) => e.state === 'duplicate'),
    15000,
  );

  const metrics = await (await fetch(`http://127.0.0.1:${h.router.httpPort}/metrics`)).text();
  const logged = lines.join('\n');
  expect(logged).toContain(first); // the lines are about these messages…
  expect(logged).toContain(stale);
  for (const value of PATIENT_DATA) {
    expect({ value, inLogs: logged.includes(value) }).toEqual({ value, inLogs: false }); // …and carry none of this
    expect({ value, inMetrics: metrics.includes(value) }).toEqual({ value, inMetrics: false });
  }
});
