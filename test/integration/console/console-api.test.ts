/**
 * The console's API on the whole router (real broker, real store), with API tokens: search and
 * story of a delivered message, the quarantine listed, a viewer refused a purge, an operator's
 * purge and replay (refused while the sender is still nobody's) each in the audit log with the
 * reason, and the body only for operators.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../../src/router/10-ops/console/password-hash.js';
import {
  addUser,
  issueToken,
  writeUsersFile,
} from '../../../src/router/10-ops/console/users-file.js';
import { quarantineConsoleFor } from '../../../src/tools/quarantine/quarantine-console-ops.js';
import { cda } from '../pipeline/de-messages.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { sleep } from '../../support/wait-for.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-console-api-'));
const usersFile = path.join(work, 'users.yaml');
const h = useRouterHarness({
  strangers: ['stranger'],
  routerYaml: `console:\n  users: ${usersFile}\n`,
  startOptions: { quarantine: quarantineConsoleFor },
});
const token = { viewer: '', operator: '' };

beforeAll(async () => {
  let users = addUser([], 'vic', 'viewer', await hashPassword('a long test password'));
  users = addUser(users, 'oli', 'operator', await hashPassword('a long test password'));
  for (const [name, role] of [
    ['vic', 'viewer'],
    ['oli', 'operator'],
  ] as const) {
    const issued = issueToken(users, name, 3600, new Date());
    users = issued.users;
    token[role] = issued.token;
  }
  writeUsersFile(usersFile, users);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function api(as: keyof typeof token, p: string, method = 'GET', body?: unknown) {
  const r = await fetch(`http://127.0.0.1:${h.router.httpPort}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token[as]}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    text,
    json: () => JSON.parse(text),
  };
}

async function quarantined(n: number) {
  for (let i = 0; i < 200; i++) {
    const { messageCount } = await h.client.channel.checkQueue(h.names.quarantineQueue);
    if (messageCount === n) return;
    await sleep(25);
  }
  throw new Error(`expected ${n} on the quarantine`);
}

test('search finds a delivered message by tracking id and sender; its story; the body for operators only', async () => {
  const msg = cda();
  await h.publish('gp', msg.bytes);
  await h.takeOne(h.queue('riverside-community'));
  await h.waitForStory(msg.trackingId, (s) => s.messages[0]?.record.completedAt != null);
  const found = (await api('viewer', `/api/v1/messages?trackingId=${msg.trackingId}`)).json();
  expect(found.messages).toEqual([
    expect.objectContaining({
      trackingId: msg.trackingId,
      sender: 'riverside-gp',
      recipients: ['riverside-community'],
      state: 'delivered',
    }),
  ]);
  const bySender = (await api('viewer', '/api/v1/messages?sender=riverside-gp&limit=1')).json();
  expect(bySender.messages.map((m: { trackingId: string }) => m.trackingId)).toEqual([
    msg.trackingId,
  ]);
  const story = (await api('viewer', `/api/v1/messages/${msg.trackingId}`)).json();
  expect(story.messages[0].events.map((e: { state: string }) => e.state)).toContain('delivered');
  expect((await api('viewer', `/api/v1/messages/${msg.trackingId}/body`)).status).toBe(403);
  const body = await api('operator', `/api/v1/messages/${msg.trackingId}/body`);
  expect([body.status, body.type]).toEqual([200, 'application/xml']);
  expect(Buffer.from(body.text).equals(msg.bytes)).toBe(true);
  expect((await api('viewer', '/api/v1/messages?since=yesterday')).status).toBe(400);
});

test('quarantine: listed for a viewer, purge refused to a viewer, purge and replay by an operator audited with the reason', async () => {
  const [a, b] = [cda(), cda()];
  await h.publish('stranger', a.bytes);
  await h.publish('stranger', b.bytes);
  await quarantined(2);
  const listing = (await api('viewer', '/api/v1/quarantine')).json();
  expect(listing.depth).toBe(2);
  const entry = (t: string) =>
    listing.entries.find((e: { trackingId: string }) => e.trackingId === t);
  expect(entry(a.trackingId)).toMatchObject({ code: '3000', sender: null });

  const viewerPurge = await api(
    'viewer',
    `/api/v1/quarantine/${entry(a.trackingId).id}`,
    'DELETE',
    { reason: 'x' },
  );
  expect(viewerPurge.status).toBe(403);
  await quarantined(2);

  const purged = await api('operator', `/api/v1/quarantine/${entry(a.trackingId).id}`, 'DELETE', {
    reason: 'test message from an unknown system',
  });
  expect([purged.status, purged.json().status]).toEqual([200, 'purged']);
  await quarantined(1);
  const replay = await api(
    'operator',
    `/api/v1/quarantine/${entry(b.trackingId).id}/replay`,
    'POST',
    {
      reason: 'try again',
    },
  );
  expect([replay.status, replay.json().status]).toEqual([409, 'refused']);
  expect(replay.json().reason).toContain(h.user('stranger').name);
  const missing = await api('operator', '/api/v1/quarantine/ffffffffff/replay', 'POST', {
    reason: 'x',
  });
  expect(missing.status).toBe(404);

  const rows = await h.store.audit.list({ actor: 'oli', limit: 10 });
  expect(rows.map((r) => [r.action, r.target, r.outcome, r.detail]).reverse()).toEqual([
    ['body-view', expect.any(String), 'ok', 'from riverside-gp'],
    ['quarantine-purge', entry(a.trackingId).id, 'ok', 'test message from an unknown system'],
    [
      'quarantine-replay',
      entry(b.trackingId).id,
      'refused',
      expect.stringMatching(/^try again \(refused: /),
    ],
    ['quarantine-replay', 'ffffffffff', 'refused', expect.stringMatching(/not-found/)],
  ]);
});
