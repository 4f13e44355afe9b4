/**
 * The console in a real headless Chromium (Debian's `chromium`, driven by playwright-core; no
 * browser download), against the whole router on the real broker and store: sign in, search by
 * tracking id, open a story, see a quarantined message, replay it as an operator, and see the
 * viewer refused the same. Each page's screenshot is saved under reports/console/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../src/router/10-ops/console/password-hash.js';
import { addUser, writeUsersFile } from '../../src/router/10-ops/console/users-file.js';
import { quarantineConsoleFor } from '../../src/tools/quarantine/quarantine-console-ops.js';
import { cda } from '../integration/pipeline/de-messages.js';
import { useRouterHarness } from '../support/router-harness.js';
import { sleep } from '../support/wait-for.js';

const CHROMIUM = process.env.ITK_ROUTER_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.resolve('reports', 'console');
const PASSWORD = 'a long console password';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-console-browser-'));
const usersFile = path.join(work, 'users.yaml');

const h = useRouterHarness({
  strangers: ['late-gp'],
  routerYaml: `console:\n  users: ${usersFile}\n`,
  startOptions: { quarantine: quarantineConsoleFor },
});

let browser: Browser;
const contexts: BrowserContext[] = [];
const base = () => `http://127.0.0.1:${h.router.httpPort}`;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run installs it), or set ITK_ROUTER_CHROMIUM`,
    );
  let users = addUser([], 'vera', 'viewer', await hashPassword(PASSWORD));
  users = addUser(users, 'otto', 'operator', await hashPassword(PASSWORD));
  users = addUser(users, 'ada', 'admin', await hashPassword(PASSWORD));
  writeUsersFile(usersFile, users);
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function signedIn(user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${base()}/console/`);
  await page.waitForURL(/\/console\/sign-in/);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base()}/console/`);
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function quarantined(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { messageCount } = await h.client.channel.checkQueue(h.names.quarantineQueue);
    if (messageCount === n) return;
    await sleep(25);
  }
  throw new Error(`expected ${n} message(s) on the quarantine`);
}

test('sign in, search by tracking id, open the story; quarantine: the viewer is refused, the operator replays', async () => {
  const tour = cda();
  await h.publish('gp', tour.bytes);
  await h.takeOne(h.queue('riverside-community'));
  await h.waitForStory(tour.trackingId, (s) => s.messages[0]?.record.completedAt != null);
  const late = cda();
  await h.publish('late-gp', late.bytes);
  await quarantined(1);

  // The viewer: dashboard, search, story (no body), quarantine without actions.
  const viewer = await signedIn('vera');
  await shot(viewer, 'dashboard');
  await viewer.getByRole('link', { name: 'Messages' }).click();
  await viewer.getByLabel('Tracking id').fill(tour.trackingId);
  await viewer.getByRole('button', { name: 'Search' }).click();
  await viewer.getByRole('link', { name: tour.trackingId }).click();
  await viewer.getByRole('heading', { name: `Message ${tour.trackingId}` }).waitFor();
  expect(await viewer.locator('ol.timeline').textContent()).toMatch(
    /delivered\s+riverside-community/,
  );
  expect(await viewer.getByText('Bodies are shown to operators only.').count()).toBe(1);
  await shot(viewer, 'story-viewer');
  await viewer.getByRole('link', { name: 'Quarantine' }).click();
  await viewer.getByRole('cell', { name: late.trackingId }).waitFor();
  expect(await viewer.getByRole('button', { name: 'Replay', exact: true }).count()).toBe(0);
  await shot(viewer, 'quarantine-viewer');
  const id = (await viewer.locator('tbody tr td code').first().textContent())!;
  const refused = await viewer.evaluate(async (entry) => {
    // runs in the page: the DOM is there, not in this file's types
    const doc = (
      globalThis as unknown as {
        document: { querySelector(s: string): { getAttribute(a: string): string } };
      }
    ).document;
    const csrf = doc.querySelector('meta[name="csrf-token"]').getAttribute('content');
    const r = await fetch(`/api/v1/quarantine/${entry}/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ reason: 'viewer tries' }),
    });
    return r.status;
  }, id);
  expect(refused).toBe(403);

  // The fix: late-gp becomes an identity of riverside-gp; the operator replays from the console.
  const file = path.join(path.dirname(h.storePath), 'routes', 'endpoints.yaml');
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  (doc.getIn(['endpoints', 'riverside-gp', 'identities']) as YAML.YAMLSeq).add(
    h.user('late-gp').name,
  );
  fs.writeFileSync(file, doc.toString());
  expect(await h.router.reload('browser test: identity added')).toBe(true);

  const operator = await signedIn('otto');
  await operator.getByRole('link', { name: 'Quarantine' }).click();
  await operator
    .getByLabel('Reason (recorded in the audit log)')
    .fill('late-gp added to riverside-gp');
  await shot(operator, 'quarantine-operator');
  await operator.getByRole('button', { name: 'Replay', exact: true }).click();
  await operator.waitForFunction(() => {
    const doc = (
      globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }
    ).document;
    return doc.getElementById('outcome').textContent !== '';
  });
  expect(await operator.getByRole('status').textContent()).toBe(`${id}: replayed`);
  const delivered = await h.takeOne(h.queue('riverside-community'));
  expect(delivered.content.equals(late.bytes)).toBe(true);
  await quarantined(0);

  await operator.goto(`${base()}/console/messages/${late.trackingId}`);
  await operator.getByRole('link', { name: 'Show the body (audited)' }).first().click();
  expect(await operator.locator('pre.xml').textContent()).toContain(late.trackingId);
  await shot(operator, 'body-operator');

  const admin = await signedIn('ada');
  await admin.getByRole('link', { name: 'Audit log' }).click();
  const audit = (await admin.locator('table').textContent()) ?? '';
  expect(audit).toMatch(/otto.*quarantine-replay/s);
  expect(audit).toMatch(/otto.*body-view/s);
  await shot(admin, 'audit');
  for (const [name, where] of [
    ['overdue', '/console/overdue'],
    ['routes', '/console/routes'],
    ['careplans', '/console/careplans?nhsNumber=9434765919'],
  ] as const) {
    await admin.goto(`${base()}${where}`);
    await shot(admin, name);
  }
}, 120_000);
