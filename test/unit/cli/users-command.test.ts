/**
 * `itk-router users add | remove | list | token` on a users file and a SQLite store of their own:
 * the password from standard input, never kept but as a scrypt hash; a token printed once and
 * kept as a hash; every change in the audit log; bad input refused with what was wrong.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';
import { verifyPassword } from '../../../src/router/10-ops/console/password-hash.js';
import { readUsersFile, userOfToken } from '../../../src/router/10-ops/console/users-file.js';
import { runCli } from '../../support/run-cli.js';

let dir: string;
let usersFile: string;
let storePath: string;
const saved = { ...process.env };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-users-cli-'));
  usersFile = path.join(dir, 'config', 'users.yaml');
  storePath = path.join(dir, 'store.sqlite');
  process.env.ITK_ROUTER_USERS = usersFile;
  process.env.ITK_ROUTER_STORE = `sqlite:${storePath}`;
});
afterAll(() => {
  process.env = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the command with `input` as standard input. */
async function run(args: string[], input = '') {
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  Object.defineProperty(process, 'stdin', {
    value: Readable.from([Buffer.from(input)]),
    configurable: true,
  });
  try {
    return await runCli(['users', ...args]);
  } finally {
    Object.defineProperty(process, 'stdin', stdin);
  }
}

test('add, token, list and remove a user; the file holds hashes only; each change is audited', async () => {
  const added = await run(['add', 'alice', '--role', 'operator'], 'a long enough password\n');
  expect(added).toMatchObject({ code: 0, out: `added alice (operator) to ${usersFile}\n` });
  const text = fs.readFileSync(usersFile, 'utf8');
  expect(text).not.toContain('a long enough password');
  expect(fs.statSync(usersFile).mode & 0o077).toBe(0);
  const [alice] = readUsersFile(usersFile);
  expect(await verifyPassword('a long enough password', alice!.password)).toBe(true);

  const issued = await run(['token', 'alice', '--expires', '7d']);
  expect(issued.code).toBe(0);
  const token = issued.out.trim();
  expect(token).toMatch(/^itkr_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  expect(fs.readFileSync(usersFile, 'utf8')).not.toContain(token.split('_')[2]);
  const found = userOfToken(readUsersFile(usersFile), token, new Date());
  expect('user' in found && found.user.name).toBe('alice');
  const late = userOfToken(readUsersFile(usersFile), token, new Date(Date.now() + 8 * 86_400_000));
  expect(late).toEqual({ refused: 'the token has expired' });

  const listed = await run(['list']);
  expect(listed.out).toMatch(/^alice\s+operator\s+1 token\(s\)/);

  expect((await run(['remove', 'alice'])).code).toBe(0);
  expect(readUsersFile(usersFile)).toEqual([]);
  expect(userOfToken(readUsersFile(usersFile), token, new Date())).toEqual({
    refused: 'unknown or revoked token',
  });

  const store = await openSqliteStore(storePath);
  try {
    const rows = await store.audit.list({ limit: 10 });
    expect(rows.map((r) => [r.action, r.target, r.client.startsWith('cli:')]).reverse()).toEqual([
      ['user-add', 'alice', true],
      ['token-issue', 'alice', true],
      ['user-remove', 'alice', true],
    ]);
  } finally {
    await store.close();
  }
});

test('refuses a short password, an unknown role, a user twice and a bad duration, saying which', async () => {
  const short = await run(['add', 'bob', '--role', 'viewer'], 'short\n');
  expect(short.code).not.toBe(0);
  expect(short.err).toMatch(/at least 12 characters, it has 5/);
  const role = await run(['add', 'bob', '--role', 'superuser'], 'a long enough password\n');
  expect(role.err).toMatch(/--role must be one of viewer, operator, admin, got "superuser"/);
  expect((await run(['add', 'bob', '--role', 'viewer'], 'a long enough password\n')).code).toBe(0);
  const twice = await run(['add', 'bob', '--role', 'viewer'], 'a long enough password\n');
  expect(twice.err).toMatch(/user "bob" exists already/);
  const duration = await run(['token', 'bob', '--expires', 'forever']);
  expect(duration.err).toMatch(/--expires must be a duration such as 30d or 12h, got "forever"/);
  expect((await run(['token', 'nobody'])).err).toMatch(/no user "nobody"/);
});
