/** `itk-router provision` end to end in-process: options, output, files, exit codes. */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/tools/cli/main.js';
import { vhostOf } from '../../../src/tools/cli/provision-command.js';
import { checkRabbitPasswordHash } from '../../../src/tools/provision/index.js';

const CONFIG = fileURLToPath(new URL('../../../config/router.yaml', import.meta.url));
const PASSWORD_VARIABLES = [
  'ITK_PASSWORD_ITK_ROUTER',
  'ITK_PASSWORD_RIVERSIDE_GP',
  'ITK_PASSWORD_RIVERSIDE_COMMUNITY',
  'ITK_PASSWORD_ST_MARYS_HOSPICE',
  'ITK_PASSWORD_OOH_111',
];

let dir: string;
let out: string;
let err: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'itk-provision-cli-'));
  out = '';
  err = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  for (const name of [...PASSWORD_VARIABLES, 'AMQP_URL', 'ITK_ROUTER_ROUTES'])
    delete process.env[name];
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const name of PASSWORD_VARIABLES) delete process.env[name];
  rmSync(dir, { recursive: true, force: true });
});

const provision = (...args: string[]) =>
  main(['node', 'itk-router', 'provision', '-c', CONFIG, ...args]);

test('vhostOf reads the vhost from the AMQP URL', () => {
  expect(vhostOf('amqp://u:p@h:5672/')).toBe('/');
  expect(vhostOf('amqp://h')).toBe('/');
  expect(vhostOf('amqps://h/care')).toBe('care');
  expect(vhostOf('amqp://h/%2Fitk')).toBe('/itk');
});

test('by default: a rabbitmqctl script for the configured routes and vhost, passwords from the environment', async () => {
  expect(await provision()).toBe(0);
  expect(out).toMatch(/^#!\/bin\/sh\n/);
  expect(out).toMatch(/^put_user 'itk-router' "\$ITK_PASSWORD_ITK_ROUTER"$/m);
  expect(out).toContain(
    `rabbitmqctl -q set_permissions -p '/' 'ooh-111' '^$' '^itk\\.inbound$' '^itk\\.endpoint\\.ooh-111$'`,
  );
  expect(err).toBe('');
});

test('--vhost, --no-router and AMQP_URL', async () => {
  process.env.AMQP_URL = 'amqp://h/from-url';
  expect(await provision('--no-router')).toBe(0);
  expect(out).toContain("add_vhost 'from-url'");
  expect(out).not.toContain("put_user 'itk-router'");
  out = '';
  expect(await provision('--vhost', 'other', '--router-user', 'router-1')).toBe(0);
  expect(out).toContain("set_permissions -p 'other' 'router-1'");
});

test('definitions with passwords from the environment: every one must be set', async () => {
  expect(await provision('--format', 'definitions')).toBe(1);
  expect(out).toBe('');
  expect(err).toMatch(/ITK_PASSWORD_ITK_ROUTER \(broker user itk-router\)/);
  err = '';
  for (const name of PASSWORD_VARIABLES) process.env[name] = `pw-${name}`;
  expect(await provision('--format', 'definitions')).toBe(0);
  const definitions = JSON.parse(out) as { users: { name: string; password_hash: string }[] };
  expect(definitions.users).toHaveLength(5);
  expect(
    checkRabbitPasswordHash(definitions.users[1]!.password_hash, 'pw-ITK_PASSWORD_RIVERSIDE_GP'),
  ).toBe(true);
});

test('generated passwords: written to --credentials (mode 600), hashed into the definitions (-o, mode 600)', async () => {
  const credentials = join(dir, 'credentials');
  const output = join(dir, 'definitions.json');
  expect(await provision('--format', 'definitions', '--passwords', 'generate')).toBe(2);
  expect(err).toMatch(/needs --credentials/);
  expect(
    await provision(
      '--format',
      'definitions',
      '--passwords',
      'generate',
      '--credentials',
      credentials,
      '-o',
      output,
    ),
  ).toBe(0);
  expect(out).toBe('');
  expect(statSync(credentials).mode & 0o777).toBe(0o600);
  expect(statSync(output).mode & 0o777).toBe(0o600);
  const lines = readFileSync(credentials, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  expect(lines.map(([user]) => user)).toEqual([
    'itk-router',
    'riverside-gp',
    'riverside-community',
    'st-marys-hospice',
    'ooh-111',
  ]);
  const { users } = JSON.parse(readFileSync(output, 'utf8')) as {
    users: { password_hash: string }[];
  };
  users.forEach((user, i) =>
    expect(checkRabbitPasswordHash(user.password_hash, lines[i]![1]!)).toBe(true),
  );
});

test('--passwords none with definitions: users without passwords, and a warning', async () => {
  expect(await provision('--format', 'definitions', '--passwords', 'none')).toBe(0);
  expect(JSON.parse(out).users[0]).toEqual({ name: 'itk-router', tags: [] });
  expect(err).toMatch(/clears theirs/);
});

test('refusals: bad routes exit 1 naming the problem; a bad format is a usage error (2)', async () => {
  expect(await provision('--routes', join(dir, 'nowhere'))).toBe(1);
  expect(err).toMatch(/cannot read the routes folder/);
  expect(await provision('--router-user', 'riverside-gp')).toBe(1);
  expect(err).toMatch(
    /"riverside-gp" would be both the router and an identity of end point riverside-gp/,
  );
  expect(await provision('--format', 'yaml')).toBe(2);
});
