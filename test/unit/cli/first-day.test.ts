/**
 * What a newcomer meets first on the command line: numeric options checked (usage error, exit 2,
 * naming the option), commands that read never creating a store, broker passwords never taken
 * from the command line nor defaulted to the user name, and the SQLite store created 0600.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { passwordFor, PASSWORD_ENV } from '../../../src/tools/sandbox/broker-client.js';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';
import { runCli } from '../../support/run-cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-first-day-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command line; its exit code, standard output and standard error. */
const run = runCli;

describe('numeric options: a usage error naming the option', () => {
  const cases: [string[], string][] = [
    [['receive', 'x', '-n'], '--count'],
    [['receive', 'x', '--count'], '--count'],
    [['receive', 'x', '-w'], '--wait'],
    [['overdue', '--limit'], '--limit'],
    [['quarantine', 'list', '--limit'], '--limit'],
    [['simulate', 'x', '-n'], '--count'],
    [['demo', '--timeout'], '--timeout'],
    [['demo', '--pace'], '--pace'],
  ];
  const bad = ['abc', '-1', '1.5x', '', '0x10', '1e3', ' ', 'NaN', 'Infinity'];
  test.each(cases)('%j with a bad value', async (args, option) => {
    for (const value of bad) {
      if (option !== '--wait' && option !== '--pace' && option !== '--timeout' && value === '')
        continue;
      const { code, err } = await run([...args, value]);
      expect({ value, code }).toEqual({ value, code: 2 });
      expect(err).toContain(option);
      expect(err).toContain(`'${value}'`);
    }
    if (option !== '--wait' && option !== '--pace' && option !== '--timeout') {
      const { code, err } = await run([...args, '1.5']); // not a whole number
      expect(code).toBe(2);
      expect(err).toMatch(/not a whole number/);
    }
  });
  test('0 messages is not a count', async () => {
    const { code, err } = await run(['receive', 'x', '-n', '0']);
    expect(code).toBe(2);
    expect(err).toMatch(/--count.*'0' is not a whole number ≥ 1/s);
  });
});

describe('commands that read never create a store', () => {
  test.each([
    [['track', '4C2A3B1E-9F7D-4E2A-8C1B-2D3E4F5A6B7C']],
    [['overdue']],
    [['retention', '--dry-run']],
    [['retention']],
  ])('%j names the store it looked in and creates nothing', async (args) => {
    const folder = path.join(dir, `nothing-${args.join('-')}`);
    const store = path.join(folder, 'var', 'itk-router.sqlite');
    const config = path.join(dir, `router-${args.join('-')}.yaml`);
    fs.writeFileSync(config, `store:\n  url: sqlite:${store}\n`);
    const { code, err } = await run([...args, '-c', config]);
    expect(code).not.toBe(0);
    expect(err).toContain(`no message store at ${store}`);
    expect(fs.existsSync(store)).toBe(false);
    expect(fs.existsSync(folder)).toBe(false);
  });
});

describe('broker passwords', () => {
  test.each([
    ['send', 'file.xml', '--as', 'riverside-gp'],
    ['receive', 'riverside-gp', '--as', 'riverside-gp'],
    ['simulate', 'riverside-gp'],
  ])('%s: --password on the command line is refused', async (...args) => {
    const { code, err } = await run([...args, '--password', 'secret']);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown option '--password'/);
  });

  test('no password anywhere: an error naming the variable and --password-stdin, never the user name', async () => {
    await expect(passwordFor('riverside-gp', {}, {})).rejects.toThrow(
      `no password for broker user riverside-gp: set ${PASSWORD_ENV}, or pipe it in with --password-stdin`,
    );
    await expect(passwordFor('riverside-gp', {}, { [PASSWORD_ENV]: '' })).rejects.toThrow(
      PASSWORD_ENV,
    );
  });

  test('from the environment, or the first line of standard input', async () => {
    expect(await passwordFor('u', {}, { [PASSWORD_ENV]: 'from-env' })).toBe('from-env');
    const stdin = (text: string) => Readable.from([Buffer.from(text)]);
    expect(await passwordFor('u', { passwordStdin: true }, {}, stdin('s3cret\n'))).toBe('s3cret');
    expect(await passwordFor('u', { passwordStdin: true }, {}, stdin('s3cret\r\nmore\n'))).toBe(
      's3cret',
    );
    expect(await passwordFor('u', { passwordStdin: true }, {}, stdin('no-newline'))).toBe(
      'no-newline',
    );
    await expect(passwordFor('u', { passwordStdin: true }, {}, stdin('\n'))).rejects.toThrow(
      /--password-stdin: no password for u/,
    );
    // the environment does not win over an explicit --password-stdin
    expect(
      await passwordFor('u', { passwordStdin: true }, { [PASSWORD_ENV]: 'env' }, stdin('in\n')),
    ).toBe('in');
  });

  test('send without a password fails before connecting, naming the variable', async () => {
    const saved = process.env[PASSWORD_ENV];
    delete process.env[PASSWORD_ENV];
    try {
      const file = path.join(dir, 'de.xml');
      fs.writeFileSync(file, '<x/>');
      const { code, err } = await run(['send', file, '--as', 'riverside-gp']);
      expect(code).not.toBe(0);
      expect(err).toContain(PASSWORD_ENV);
    } finally {
      if (saved !== undefined) process.env[PASSWORD_ENV] = saved;
    }
  });
});

describe('the SQLite store holds patient data: owner only (0600)', () => {
  const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

  test.each([0o022, 0o000, 0o002])(
    'a new store and its -wal and -shm files, under umask %o',
    async (umask) => {
      const old = process.umask(umask);
      const file = path.join(dir, `new-${umask}`, 'deep', 'store.sqlite');
      try {
        const store = await openSqliteStore(file);
        await store.migrate();
        try {
          for (const f of [file, `${file}-wal`, `${file}-shm`]) {
            expect({ f, mode: modeOf(f).toString(8) }).toEqual({ f, mode: '600' });
          }
          expect(modeOf(path.dirname(file)) & 0o077).toBe(0);
        } finally {
          await store.close();
        }
      } finally {
        process.umask(old);
      }
    },
  );

  test('an existing world-readable store is narrowed to 0600', async () => {
    const file = path.join(dir, 'old.sqlite');
    const first = await openSqliteStore(file);
    await first.migrate();
    await first.close();
    fs.chmodSync(file, 0o644);
    const again = await openSqliteStore(file);
    try {
      expect(modeOf(file)).toBe(0o600);
    } finally {
      await again.close();
    }
  });
});

describe('validate: folders are walked, a missing path is one failed entry', () => {
  test('a folder, a missing file and a valid file in one run', async () => {
    const folder = path.join(dir, 'messages');
    fs.mkdirSync(path.join(folder, 'deeper'), { recursive: true });
    const example = fs.readFileSync('test/fixtures/examples/careplan-notification.xml');
    fs.writeFileSync(path.join(folder, 'b.xml'), example);
    fs.writeFileSync(path.join(folder, 'deeper', 'a.xml'), example);
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a message');
    const missing = path.join(dir, 'no-such-file.xml');
    const { code, out } = await run(['validate', folder, missing, '--format', 'json']);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { files: { file: string; valid: boolean }[] } | unknown;
    const text = JSON.stringify(report);
    expect(text).toContain(path.join(folder, 'b.xml'));
    expect(text).toContain(path.join(folder, 'deeper', 'a.xml'));
    expect(text).not.toContain('notes.txt');
    expect(text).toContain(missing);
    expect(text).toMatch(/ENOENT/);
  });

  test('every file valid: exit 0 (a folder of valid examples)', async () => {
    const { code, out } = await run(['validate', 'test/fixtures/examples']);
    expect(code).toBe(0);
    expect(out.match(/^PASS/gm)?.length ?? 0).toBeGreaterThanOrEqual(4);
  });
});

describe('check and start refuse the same bad config alike', () => {
  test('exit 2 from both, every problem (shape and reference) in one round', async () => {
    const saved = process.env.ITK_ROUTER_ROUTES;
    process.env.ITK_ROUTER_ROUTES = 'test/fixtures/config/routes-schema-and-references';
    try {
      const check = await run(['check']);
      const start = await run(['start']);
      for (const { code, err } of [check, start]) {
        expect(code).toBe(2);
        expect(err).toContain('a-endpoints.yaml:4');
        expect(err).toContain('end point "nobody" is not defined');
      }
    } finally {
      if (saved === undefined) delete process.env.ITK_ROUTER_ROUTES;
      else process.env.ITK_ROUTER_ROUTES = saved;
    }
  });
});
