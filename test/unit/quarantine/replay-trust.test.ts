/**
 * Issue 12, finding 9: the router trusts no replay headers when its own broker user is `guest`
 * or an end point identity, and `itk-router check` warns about it (exit code unchanged).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../support/run-cli.js';
import {
  replayTrustRefusal,
  replayTrustedUser,
} from '../../../src/router/09-pipeline/replay-trust.js';

const ROUTES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../routes');
const table = { identities: new Map([['gp-user', 'riverside-gp']]) };

describe('replayTrustRefusal', () => {
  test.each([
    ['guest', /connects to the broker as guest/],
    ['gp-user', /gp-user is an identity of end point riverside-gp/],
    [undefined, /no broker user of its own/],
  ])('%s: refused, saying why', (user, why) => {
    expect(replayTrustRefusal(user, table)).toMatch(why);
    expect(replayTrustedUser(user, table)).toBeUndefined();
  });

  test.each(['itk-router', 'Guest', 'guest2', 'GP-USER'])(
    'a user of its own (%s): trusted (names compare exactly, as RabbitMQ compares them)',
    (user) => {
      expect(replayTrustRefusal(user, table)).toBeUndefined();
      expect(replayTrustedUser(user, table)).toBe(user);
    },
  );
});

describe('itk-router check', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-check-replay-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function check(amqpUrl: string): Promise<{ code: number; out: string; err: string }> {
    const config = path.join(dir, 'router.yaml');
    fs.writeFileSync(
      config,
      `amqp:\n  url: ${amqpUrl}\nroutes: ${ROUTES}\nstore:\n  url: sqlite:${path.join(dir, 's.sqlite')}\n`,
    );
    const saved = process.env.AMQP_URL;
    delete process.env.AMQP_URL;
    try {
      return await runCli(['check', '-c', config]);
    } finally {
      if (saved !== undefined) process.env.AMQP_URL = saved;
    }
  }

  test('as guest (named, or by default): a warning that replays are not trusted; still OK', async () => {
    for (const url of ['amqp://guest:guest@localhost:5672', 'amqp://localhost:5672']) {
      const { code, out, err } = await check(url);
      expect(code).toBe(0);
      expect(out).toMatch(/OK\n$/);
      expect(err).toMatch(/^warning: the router connects to the broker as guest/m);
    }
  });

  test('as a user of its own: no warning', async () => {
    const { code, err } = await check('amqp://itk-router:secret@localhost:5672');
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
