/** The mailroom: arrivals in order, waited for, claimed once (src/tools/harness/mailroom.ts). */
import { Mailroom } from '../../../src/tools/harness/mailroom.js';

const arrive = (mail: Mailroom, where: string, text: string) =>
  mail.add({
    where,
    queue: `itk.endpoint.${where}`,
    body: Buffer.from(text),
    properties: {},
    headers: {},
  });

const is = (text: string) => (m: { body: Buffer }) => m.body.toString() === text;

test('finds a message that already arrived, and one that arrives while it waits', async () => {
  const mail = new Mailroom();
  arrive(mail, 'gp', 'a');
  expect((await mail.waitFor(1, ['gp'], is('a'), Date.now() + 10))?.seq).toBe(1);
  setTimeout(() => arrive(mail, 'gp', 'b'), 20);
  const started = Date.now();
  const found = await mail.waitFor(1, ['gp'], is('b'), Date.now() + 2000);
  expect(found?.seq).toBe(2);
  expect(Date.now() - started).toBeLessThan(1000);
});

test('gives up at the deadline; ignores other queues, earlier arrivals and claimed messages', async () => {
  const mail = new Mailroom();
  const early = arrive(mail, 'gp', 'x');
  const start = mail.next;
  arrive(mail, 'community', 'x');
  const mine = arrive(mail, 'gp', 'x');
  expect((await mail.waitFor(start, ['gp'], is('x'), Date.now()))?.seq).toBe(mine.seq);
  mail.claim(mine, 'step 1');
  expect(mail.claimedBy(mine.seq)).toBe('step 1');
  expect(await mail.waitFor(start, ['gp'], is('x'), Date.now() + 30)).toBeUndefined();
  expect(mail.since(start).map((m) => m.where)).toEqual(['community', 'gp']);
  expect(mail.since(1, ['gp']).map((m) => m.seq)).toEqual([early.seq, mine.seq]);
});
