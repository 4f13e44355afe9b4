/**
 * `itk-router demo`, the README's five-minute tour, end to end on the real broker and in
 * process: the day's conversation as a person reads it, exit 0, and nothing left behind (vhost,
 * broker users). Then the two ways a day ends early: interrupted (Ctrl-C), and an end point's
 * connection broken by the broker mid-day, which must end in exit 1 naming what went missing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { runDemo, type DemoResult } from '../../src/tools/demo/run-demo.js';
import { main } from '../../src/tools/cli/main.js';
import { brokerAdmin } from '../support/broker-admin.js';
import { amqpUrl, brokerEnv } from '../support/broker-env.js';

const env = brokerEnv();
const AMQP_URL = amqpUrl('/', env.adminUser, env.adminPassword);

/** Whether the broker still has this vhost or user (management API, else rabbitmqctl). */
async function brokerHas(kind: 'vhosts' | 'users', name: string): Promise<boolean> {
  const auth = `Basic ${Buffer.from(`${env.adminUser}:${env.adminPassword}`).toString('base64')}`;
  try {
    const res = await fetch(`${env.managementUrl}/api/${kind}/${encodeURIComponent(name)}`, {
      headers: { authorization: auth },
      signal: AbortSignal.timeout(2000),
    });
    if (res.status === 200 || res.status === 404) return res.status === 200;
  } catch {
    // no management API: ask rabbitmqctl
  }
  const list = kind === 'vhosts' ? 'list_vhosts' : 'list_users';
  const { stdout } = await promisify(execFile)('rabbitmqctl', ['-q', list, '--no-table-headers']);
  return stdout.split('\n').some((line) => line.split('\t')[0] === name);
}

async function expectNothingLeft(vhost: string, users: readonly string[]): Promise<void> {
  expect(vhost).toMatch(/^itk-demo-[0-9a-f]{8}$/);
  expect(await brokerHas('vhosts', vhost)).toBe(false);
  for (const user of users) expect(await brokerHas('users', user)).toBe(false);
}

const ENDPOINTS = ['riverside-gp', 'riverside-community', 'st-marys-hospice', 'ooh-111'];
const vhostIn = (out: string) => /vhost (itk-demo-[0-9a-f]{8})/.exec(out)?.[1] ?? '(none)';
/** The lines that tell an arrival: "HH:MM who → whom: meaning". */
const arrivals = (out: string) => out.split('\n').filter((l) => /^\d\d:\d\d .+ → .+: /.test(l));

describe('itk-router demo', () => {
  test('plays the whole day, tells it in plain English, exits 0 and leaves nothing behind', async () => {
    let out = '';
    jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => ((out += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const saved = process.env.AMQP_URL;
    process.env.AMQP_URL = AMQP_URL;
    let code: number;
    try {
      code = await main(['node', 'itk-router', 'demo', '--management-url', env.managementUrl]);
    } finally {
      jest.restoreAllMocks();
      if (saved === undefined) delete process.env.AMQP_URL;
      else process.env.AMQP_URL = saved;
    }

    expect(out).toContain('The day played as expected: 22 messages in 5 scenes');
    expect(code).toBe(0);
    const lines = arrivals(out);
    expect(lines).toHaveLength(22);
    const plan = "care plan 'Anticipatory care plan' for Jane Example (NHS 943 476 5919)";
    // Push: to the addresses the GP chose, and one copy for 111 (copy route and subscription, once).
    expect(lines).toContain(
      `09:00 Riverside Medical Practice → Riverside Community Trust: ${plan}, version 1, created`,
    );
    expect(lines).toContain(
      `09:00 Riverside Medical Practice → St Mary's Hospice: ${plan}, version 1, created`,
    );
    expect(
      lines.filter((l) => l.startsWith('09:00 Riverside Medical Practice → NWAS 111')),
    ).toEqual([
      `09:00 Riverside Medical Practice → NWAS 111 and out-of-hours: ${plan}, version 1, created (a copy, by route eolc-copies-to-out-of-hours)`,
    ]);
    // The hospice cannot acknowledge: the router does it for it.
    expect(lines).toContain(
      "09:00 router → Riverside Medical Practice: the care plan 'Anticipatory care plan', version 1, is safely in St Mary's Hospice's queue (an infrastructure ack the router sends for it: its system cannot)",
    );
    // Locate, then pull through the locator from the owner.
    expect(lines).toContain(
      "10:20 router → NWAS 111 and out-of-hours: the locator found 1 plan for NHS 943 476 5919: 'Anticipatory care plan' (end-of-life, version 1, active), held by Riverside Medical Practice",
    );
    expect(
      lines.some((l) =>
        l.startsWith(
          "10:21 NWAS 111 and out-of-hours → Riverside Medical Practice: asks for the care plan 'Anticipatory care plan' (Jane Example), through the locator: ",
        ),
      ),
    ).toBe(true);
    expect(lines).toContain(
      "10:21 Riverside Medical Practice → NWAS 111 and out-of-hours: here is the care plan 'Anticipatory care plan' for Jane Example, version 1 (found)",
    );
    // Manage change: the update, the owner's acceptance, version 2 to everyone holding a copy.
    expect(
      lines.some((l) =>
        l.startsWith(
          "13:30 Riverside Community Trust → Riverside Medical Practice: proposes version 2 of 'Anticipatory care plan', based on version 1: ",
        ),
      ),
    ).toBe(true);
    expect(lines).toContain(
      "13:30 Riverside Medical Practice → Riverside Community Trust: accepted the proposed update of 'Anticipatory care plan' to version 2 (business acknowledgement AA)",
    );
    for (const team of [
      'Riverside Community Trust',
      "St Mary's Hospice",
      'NWAS 111 and out-of-hours',
    ])
      expect(
        lines.some((l) =>
          l.startsWith(`13:30 Riverside Medical Practice → ${team}: ${plan}, version 2, updated`),
        ),
      ).toBe(true);
    // The stale update is refused to its sender, and never reaches the owner.
    expect(lines).toContain(
      '16:10 router → Riverside Community Trust: refused (2200): version conflict: the plan is at version 2, the update is based on version 1',
    );
    expect(lines.filter((l) => l.startsWith('16:10'))).toHaveLength(1);
    expect(out).not.toContain('UNEXPECTED');
    // Each line has its ITK detail, indented, for the curious.
    const all = out.split('\n');
    for (const line of lines) {
      const detail = all[all.indexOf(line) + 1];
      expect(detail).toMatch(/^ {8}service urn:\S+ · tracking id [0-9A-F-]{36}/);
    }
    const vhost = vhostIn(out);
    await expectNothingLeft(
      vhost,
      ENDPOINTS.map((id) => `${vhost}-${id}`),
    );
  }, 60_000);

  test('interrupted (Ctrl-C) mid-day, it stops and still deletes its vhost and users', async () => {
    const abort = new AbortController();
    let out = '';
    const result: DemoResult = await runDemo({
      env: { AMQP_URL },
      managementUrl: env.managementUrl,
      signal: abort.signal,
      write: (text) => {
        out += text;
        if (text.startsWith('09:00 Riverside Medical Practice →')) abort.abort();
      },
    });
    expect(result).toMatchObject({ ok: false, interrupted: true });
    expect(out).toContain('Interrupted. Tidied up');
    expect(out).not.toContain('── 10:20');
    await expectNothingLeft(result.vhost, result.brokerUsers);
  }, 60_000);

  test("when the broker drops the GP's connection mid-day, the day fails naming what went missing", async () => {
    const admin = await brokerAdmin();
    let out = '';
    let closing: Promise<number> | undefined;
    const result = await runDemo({
      env: { AMQP_URL },
      managementUrl: env.managementUrl,
      sceneTimeoutMs: 2000,
      scenePauseMs: 2500,
      write: (text) => {
        out += text;
        if (text.startsWith('── 10:20'))
          closing ??= admin.closeConnections(vhostIn(out), 'itk-router demo: riverside-gp');
      },
    });
    expect(await closing).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.interrupted).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Riverside Medical Practice: connection closed/),
        expect.stringMatching(
          /^missing at \d\d:\d\d .+, (.+ → Riverside Medical Practice|Riverside Medical Practice → .+) \(/,
        ),
      ]),
    );
    expect(out).toContain('The day did not play as expected:');
    expect(out).toMatch(/ {2}- missing at /);
    await expectNothingLeft(result.vhost, result.brokerUsers);
  }, 60_000);
});
