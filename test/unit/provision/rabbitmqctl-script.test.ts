/**
 * The rabbitmqctl script, read and run: run by `sh` against a stand-in `rabbitmqctl` on the PATH
 * that records each call (arguments and standard input), so the shell logic is tested here and
 * the broker's answer in test/integration/provision.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  planProvisioning,
  renderPlan,
  renderRabbitmqctl,
  shellQuote,
} from '../../../src/tools/provision/index.js';

const plan = planProvisioning({
  endpoints: [
    { id: 'gp', name: 'A GP', identities: ['gp-user'] },
    { id: 'odd', name: "O'Brien & Sons\n$(reboot)", identities: ["o'brien$x"] },
  ],
  prefix: 'itk',
  vhost: 'care plans',
  routerUser: 'itk-router',
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'itk-provision-'));
  // The stand-in: `list_users` prints EXISTING_USERS; every call is logged with its stdin.
  writeFileSync(
    join(dir, 'rabbitmqctl'),
    [
      '#!/bin/sh',
      'if [ "$2" = list_users ]; then printf "%s" "$EXISTING_USERS"; exit 0; fi',
      'stdin=""; if [ "$2" = add_user ] || [ "$2" = change_password ]; then if [ $# -lt 4 ]; then stdin=$(cat); fi; fi',
      'printf "%s|stdin=%s\\n" "$*" "$stdin" >> "$LOG"',
    ].join('\n'),
  );
  chmodSync(join(dir, 'rabbitmqctl'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, env: Record<string, string> = {}) {
  const log = join(dir, 'log');
  writeFileSync(log, '');
  const result = spawnSync('sh', ['-c', script], {
    env: { PATH: `${dir}:${process.env.PATH}`, LOG: log, EXISTING_USERS: '', ...env },
    encoding: 'utf8',
  });
  return { ...result, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

test('shellQuote makes one word of anything', () => {
  for (const text of ["o'brien", '$(x) `y` "z"', 'a b\nc', '']) {
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' })).toBe(
      text,
    );
  }
});

test('env passwords: read from ITK_PASSWORD_<USER> when it runs, given on stdin, never as an argument', () => {
  const script = renderRabbitmqctl(plan, { mode: 'env' });
  expect(script).not.toMatch(/s3cret/);
  const env = {
    ITK_PASSWORD_ITK_ROUTER: 'router s3cret',
    ITK_PASSWORD_GP_USER: 'gp s3cret',
    ITK_PASSWORD_O_BRIEN_X: "it's s3cret",
  };
  const { status, stderr, calls } = run(script, env);
  expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  expect(calls).toEqual([
    '-q add_vhost care plans|stdin=',
    '-q add_user itk-router|stdin=router s3cret',
    '-q set_user_tags itk-router|stdin=',
    expect.stringMatching(/^-q set_permissions -p care plans itk-router \^\(itk\\\.inbound\|/),
    '-q add_user gp-user|stdin=gp s3cret',
    '-q set_user_tags gp-user|stdin=',
    '-q set_permissions -p care plans gp-user ^$ ^itk\\.inbound$ ^itk\\.endpoint\\.gp$|stdin=',
    "-q add_user o'brien$x|stdin=it's s3cret",
    "-q set_user_tags o'brien$x|stdin=",
    "-q set_permissions -p care plans o'brien$x ^$ ^itk\\.inbound$ ^itk\\.endpoint\\.odd$|stdin=",
  ]);
});

test('a missing password variable stops the script before any change', () => {
  const { status, stderr, calls } = run(renderRabbitmqctl(plan, { mode: 'env' }), {
    ITK_PASSWORD_ITK_ROUTER: 'x',
    ITK_PASSWORD_GP_USER: 'y',
  });
  expect(status).not.toBe(0);
  expect(stderr).toMatch(
    /ITK_PASSWORD_O_BRIEN_X.*set ITK_PASSWORD_O_BRIEN_X to the password of broker user o\?brien\?x/,
  );
  expect(calls).toEqual([]);
});

test('an existing user gets change_password, and its tags cleared', () => {
  const passwords = new Map([
    ['itk-router', 'r'],
    ['gp-user', 'g'],
    ["o'brien$x", 'o'],
  ]);
  const script = renderRabbitmqctl(plan, { mode: 'generate', passwords });
  expect(script).toMatch(/holds passwords in clear/);
  const { status, calls } = run(script, {
    EXISTING_USERS: 'guest\t[administrator]\ngp-user\t[management]\n',
  });
  expect(status).toBe(0);
  expect(calls.filter((call) => /add_user|change_password|set_user_tags gp/.test(call))).toEqual([
    '-q add_user itk-router|stdin=r',
    '-q change_password gp-user|stdin=g',
    '-q set_user_tags gp-user|stdin=',
    "-q add_user o'brien$x|stdin=o",
  ]);
});

test('no passwords: new users get a blank one (no password login), existing ones keep theirs', () => {
  const script = renderRabbitmqctl(plan, { mode: 'none' });
  const { status, calls } = run(script, { EXISTING_USERS: 'gp-user\t[]\n' });
  expect(status).toBe(0);
  expect(calls.filter((call) => /add_user|change_password/.test(call))).toEqual([
    '-q add_user itk-router |stdin=',
    "-q add_user o'brien$x |stdin=",
  ]);
});

test('a display name cannot break out of its comment; notes are comments', () => {
  const script = renderRabbitmqctl(
    planProvisioning({
      endpoints: [{ id: 'x', name: 'X\nrm -rf /', identities: [] }],
      prefix: 'itk',
      vhost: '/',
    }),
    { mode: 'env' },
  );
  expect(script).not.toMatch(/^rm/m);
  expect(script).toMatch(/^# NOTE: end point x lists no identities/m);
  expect(renderRabbitmqctl(plan, { mode: 'env' })).toMatch(
    /^# end point odd \(O'Brien & Sons \$\(reboot\)\): publishes to itk\.inbound/m,
  );
});

test('renderPlan writes only generated passwords into a script, never those from the environment', () => {
  const passwords = new Map([['gp-user', 'from-env']]);
  expect(renderPlan(plan, { format: 'rabbitmqctl', mode: 'env', passwords })).not.toMatch(
    /from-env/,
  );
  expect(renderPlan(plan, { format: 'rabbitmqctl', mode: 'generate', passwords })).toMatch(
    /put_user 'gp-user' 'from-env'/,
  );
});
