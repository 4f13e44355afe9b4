/**
 * The whole router, in-process, on the real broker and a real SQLite store, for pipeline
 * integration tests. One harness per test FILE: `useRouterHarness()` registers the hooks.
 *
 * beforeAll: a uuid vhost of the file's own (createTestVhost); one broker user per supplier role
 * named in the routes (`__USER_<role>__` tokens in the route files, replaced by unique user
 * names, as user names are broker-wide) plus `strangers` (users no end point lists); the routes
 * copied to a tmp folder; `startRouter` with AMQP_URL = the vhost, ITK_ROUTER_ROUTES = that folder,
 * ITK_ROUTER_STORE = sqlite in the tmp folder, ITK_ROUTER_HTTP_PORT = 0 and a silent logger; a
 * second connection to the same SQLite file for assertions (`store.track(...)`).
 * afterEach: waits for the router's inbound queue to drain, then purges every queue (never
 * deletes quorum queues per test: platform-notes.md). afterAll: stops the router, deletes the
 * vhost (its queues) and users, removes the tmp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GetMessage, Options } from 'amqplib';
import { loadRouterConfig } from '../../src/router/01-config/index.js';
import {
  loadRouteTable,
  startRouter,
  type RunningRouter,
  type StartOptions,
} from '../../src/router/main.js';
import { silentLogger, type Logger } from '../../src/router/00-common/logger.js';
import type { MessageStore, MessageStory } from '../../src/router/08-store/message-store.js';
import { openSqliteStore } from '../../src/router/08-store/sqlite/open-sqlite-store.js';
import { topologyNames, type TopologyNames } from '../../src/router/02-transport/names.js';
import { createTestVhost, type TestUser, type TestVhost } from './broker.js';
import {
  expectMessages,
  expectNoMessage,
  openTestClient,
  publishAs,
  purgeQueues,
  type TestClient,
} from './messages.js';
import { sleep } from './wait-for.js';

export const ROUTES_IT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'routes-it',
);

const USER_TOKEN = /__USER_([a-z0-9-]+)__/g;

export interface RouterHarnessOptions {
  /** Folder of route files with `__USER_<role>__` identity tokens; default test/fixtures/routes-it. */
  readonly routesDir?: string;
  /** Roles of broker users to create that no end point lists. */
  readonly strangers?: readonly string[];
  /** Text of a router.yaml to load (the environment overrides still apply); none by default. */
  readonly routerYaml?: string;
  /**
   * The broker user the router connects as: `guest`, or a role (`__USER_<role>__` in the routes,
   * e.g. to list the router's own user as an end point identity). Default: a user of its own
   * (role `router`), as `itk-router provision` gives a real deployment.
   */
  readonly routerUser?: string;
  /** Passed to `startRouter` (e.g. a tracing of the test's own). */
  readonly startOptions?: StartOptions;
  /** The router's logger; silent by default. */
  readonly logger?: Logger;
}

export interface RouterHarness {
  readonly vhost: TestVhost;
  /** guest's connection on the vhost, for reading queues in assertions. */
  readonly client: TestClient;
  readonly names: TopologyNames;
  readonly router: RunningRouter;
  /** A second connection to the router's SQLite store (read it; the router writes). */
  readonly store: MessageStore;
  readonly storePath: string;
  /** The AMQP URL the router connects with (its own broker user on the vhost). */
  readonly routerUrl: string;
  /** The router's broker user name. */
  readonly routerUserName: string;
  /** The end point ids of the loaded routes. */
  readonly endpointIds: readonly string[];
  /** Every queue of the contract topology on this vhost. */
  readonly queues: readonly string[];
  /** The broker user made for a role (`__USER_<role>__` in the routes, or a stranger). */
  user(role: string): TestUser;
  /** `itk.endpoint.<id>`. */
  queue(endpointId: string): string;
  /** Publishes `body` to `itk.inbound` as the role's broker user (user_id set), persistent, confirmed. */
  publish(role: string, body: Buffer | string, properties?: Options.Publish): Promise<void>;
  /** Takes exactly one message from an end point's queue (or the quarantine: pass the queue name). */
  takeOne(queue: string, timeoutMs?: number): Promise<GetMessage>;
  /** Fails if any message is, or within `waitMs` becomes, available in any of `queues`. */
  expectEmpty(queues: readonly string[], waitMs?: number): Promise<void>;
  /** Polls the store until `done(story)` holds; returns that story. */
  waitForStory(
    trackingId: string,
    done: (story: MessageStory) => boolean,
    timeoutMs?: number,
  ): Promise<MessageStory>;
}

export interface StartedRouterHarness extends RouterHarness {
  /** Purges every queue (between tests). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a harness now (use `useRouterHarness` in a test file). */
export async function startRouterHarness(
  options: RouterHarnessOptions = {},
): Promise<StartedRouterHarness> {
  const vhost = await createTestVhost();
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-router-it-'));
  const cleanups: (() => Promise<void>)[] = [
    async () => fs.rmSync(tmpDir, { recursive: true, force: true }),
    () => vhost.deleteAll(),
  ];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    const sourceDir = options.routesDir ?? ROUTES_IT;
    const routesDir = path.join(tmpDir, 'routes');
    fs.mkdirSync(routesDir);
    const files = fs
      .readdirSync(sourceDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((file) => ({ file, text: fs.readFileSync(path.join(sourceDir, file), 'utf8') }));
    const routerRole = options.routerUser ?? 'router';
    const roles = new Set([
      ...files.flatMap(({ text }) => [...text.matchAll(USER_TOKEN)].map((m) => m[1]!)),
      ...(options.strangers ?? []),
      ...(routerRole === 'guest' ? [] : [routerRole]),
    ]);
    // All at once: each user costs the broker admin a few seconds when it is rabbitmqctl.
    const users = new Map<string, TestUser>(
      await Promise.all(
        [...roles].map(
          async (role) => [role, await vhost.createUser(vhost.uniqueName(`it-${role}`))] as const,
        ),
      ),
    );
    for (const { file, text } of files) {
      const written = text.replace(USER_TOKEN, (_, role: string) => users.get(role)!.name);
      fs.writeFileSync(path.join(routesDir, file), written);
    }
    const routerUser =
      routerRole === 'guest' ? { name: 'guest', url: vhost.url } : users.get(routerRole)!;

    let configPath: string | undefined;
    if (options.routerYaml !== undefined) {
      configPath = path.join(tmpDir, 'router.yaml');
      fs.writeFileSync(configPath, options.routerYaml);
    }
    const storePath = path.join(tmpDir, 'store.sqlite');
    const config = loadRouterConfig(configPath, {
      AMQP_URL: routerUser.url,
      ITK_ROUTER_ROUTES: routesDir,
      ITK_ROUTER_STORE: `sqlite:${storePath}`,
      ITK_ROUTER_HTTP_PORT: '0',
    });
    const endpointIds = [...loadRouteTable(config).table.endpoints.keys()];
    const names = topologyNames(config.amqp.prefix);
    const queues = [
      names.routerInboundQueue,
      names.quarantineQueue,
      ...endpointIds.map((id) => names.endpointQueue(id)),
    ];

    const router = await startRouter(
      config,
      options.logger ?? silentLogger(),
      options.startOptions,
    );
    cleanups.push(() => router.stop());
    const store = await openSqliteStore(storePath);
    cleanups.push(() => store.close());
    const client = await openTestClient(vhost.url);
    cleanups.push(() => client.close());

    const harness: StartedRouterHarness = {
      vhost,
      client,
      names,
      router,
      store,
      storePath,
      routerUrl: routerUser.url,
      routerUserName: routerUser.name,
      endpointIds,
      queues,
      user(role) {
        const user = users.get(role);
        if (!user) throw new Error(`router harness: no broker user for role ${role}`);
        return user;
      },
      queue: (endpointId) => names.endpointQueue(endpointId),
      publish: (role, body, properties = {}) =>
        publishAs(harness.user(role), names.inboundExchange, '', body, {
          contentType: 'application/xml',
          ...properties,
        }),
      async takeOne(queue, timeoutMs = 5000) {
        const [msg] = await expectMessages(client.channel, queue, 1, timeoutMs);
        return msg!;
      },
      async expectEmpty(list, waitMs = 300) {
        await Promise.all(list.map((q) => expectNoMessage(client.channel, q, waitMs)));
      },
      async waitForStory(trackingId, done, timeoutMs = 5000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const story = await store.track(trackingId);
          if (story && done(story)) return story;
          if (Date.now() > deadline) {
            throw new Error(
              `timed out waiting for the store's story of ${trackingId}: ${JSON.stringify(story, null, 1)?.slice(0, 2000)}`,
            );
          }
          await sleep(25);
        }
      },
      async reset() {
        // Let the router finish what it holds before purging, so nothing leaks into the next test.
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline) {
          const { messageCount } = await client.channel.checkQueue(names.routerInboundQueue);
          if (messageCount === 0) break;
          await sleep(25);
        }
        await sleep(50);
        await purgeQueues(client.channel, queues);
      },
      stop: cleanup,
    };
    return harness;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Registers beforeAll / afterEach / afterAll for one test file; returns the harness (after beforeAll). */
export function useRouterHarness(options: RouterHarnessOptions = {}): RouterHarness {
  let started: StartedRouterHarness | undefined;
  const get = (): StartedRouterHarness => {
    if (!started) throw new Error('useRouterHarness: beforeAll has not run');
    return started;
  };
  beforeAll(async () => {
    started = await startRouterHarness(options);
  }, 180000);
  afterEach(async () => {
    await started?.reset();
  });
  afterAll(async () => {
    await started?.stop();
  }, 180000);
  return new Proxy({} as RouterHarness, {
    get: (_, key) => {
      const h = get();
      const value = h[key as keyof RouterHarness];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(h) : value;
    },
  });
}
