/**
 * The delivery workers following the routes: what to start, stop and restart (pure), the settings
 * read from the routes (the TLS files' bytes in the digest), and a file that cannot be used
 * refusing the routes with the end point and the file named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../../src/router/00-common/logger.js';
import type { Endpoint } from '../../../src/router/01-config/routes-config.js';
import type { RouteTable } from '../../../src/router/05-routing/index.js';
import {
  deliverySettings,
  DeliveryWorkers,
  planWorkers,
  type WorkerSettings,
} from '../../../src/router/11-web-services/delivery-workers.js';
import { makeTestCerts, type CertDir } from '../../support/ws-tls.js';

let certs: CertDir;
beforeAll(() => {
  certs = makeTestCerts(['renewed']);
});
afterAll(() => certs?.remove());

const endpoint = (id: string, delivery?: Partial<NonNullable<Endpoint['delivery']>>): Endpoint =>
  ({
    id,
    name: id,
    addresses: [],
    identities: [],
    certificates: [],
    acks: 'endpoint',
    ...(delivery && {
      delivery: { url: `https://${id}.example/itk`, timeoutMs: 30000, concurrency: 1, ...delivery },
    }),
  }) as unknown as Endpoint;
const tableOf = (...endpoints: Endpoint[]) =>
  ({ endpoints: new Map(endpoints.map((e) => [e.id, e])) }) as unknown as RouteTable;
const defaults = () => ({
  cert: certs.file('router', 'crt'),
  key: certs.file('router', 'key'),
  ca: certs.file('ca', 'crt'),
});

describe('planWorkers', () => {
  test('starts the new, stops the gone, restarts the changed, leaves the same alone', () => {
    const running = new Map([
      ['same', 'd1'],
      ['changed', 'd2'],
      ['gone', 'd3'],
    ]);
    const wanted = new Map([
      ['same', { digest: 'd1' }],
      ['changed', { digest: 'd2-new' }],
      ['new', { digest: 'd4' }],
    ]);
    expect(planWorkers(running, wanted)).toEqual({
      start: ['new'],
      stop: ['gone'],
      restart: ['changed'],
    });
    expect(planWorkers(running, new Map())).toEqual({
      start: [],
      stop: ['same', 'changed', 'gone'],
      restart: [],
    });
  });
});

describe('deliverySettings', () => {
  test('one per end point with delivery.url, with the TLS bytes; the digest follows every setting', () => {
    const table = tableOf(endpoint('amqp'), endpoint('ws', {}));
    const settings = deliverySettings(table, defaults());
    expect([...settings.keys()]).toEqual(['ws']);
    const ws = settings.get('ws')!;
    expect(ws.caller).toMatchObject({
      url: 'https://ws.example/itk',
      timeoutMs: 30000,
      concurrency: 1,
    });
    expect(ws.caller.cert?.equals(certs.read('router', 'crt'))).toBe(true);
    const digest = (t: RouteTable, d = defaults()) => deliverySettings(t, d).get('ws')!.digest;
    expect(digest(table)).toBe(ws.digest);
    expect(digest(tableOf(endpoint('ws', { url: 'https://other.example/itk' })))).not.toBe(
      ws.digest,
    );
    expect(digest(tableOf(endpoint('ws', { timeoutMs: 5000 })))).not.toBe(ws.digest);
    expect(digest(tableOf(endpoint('ws', { concurrency: 2 })))).not.toBe(ws.digest);
    const own = { cert: certs.file('renewed', 'crt'), key: certs.file('renewed', 'key') };
    expect(digest(tableOf(endpoint('ws', { tls: own })))).not.toBe(ws.digest);
  });

  test('a certificate renewed in place (same path, new bytes) changes the digest', () => {
    const dir = fs.mkdtempSync(path.join(certs.dir, 'in-place-'));
    const file = (ext: 'crt' | 'key') => path.join(dir, `client.${ext}`);
    const put = (name: string) => {
      fs.copyFileSync(certs.file(name, 'crt'), file('crt'));
      fs.copyFileSync(certs.file(name, 'key'), file('key'));
    };
    const table = tableOf(endpoint('ws', { tls: { cert: file('crt'), key: file('key') } }));
    put('router');
    const before = deliverySettings(table, defaults()).get('ws')!.digest;
    put('renewed');
    expect(deliverySettings(table, defaults()).get('ws')!.digest).not.toBe(before);
  });

  test('a file that cannot be used names the end point and the file', () => {
    const table = tableOf(
      endpoint('ws', { tls: { cert: '/nowhere/client.crt', key: certs.file('router', 'key') } }),
    );
    expect(() => deliverySettings(table, defaults())).toThrow(
      /^end point ws's delivery: cannot read the certificate \/nowhere\/client\.crt: /,
    );
  });
});

describe('DeliveryWorkers', () => {
  /** Workers that log what happens to them. */
  const recorder = () => {
    const events: string[] = [];
    const make = (s: WorkerSettings) => ({
      start: async () => void events.push(`start ${s.endpoint.id} ${s.caller.url}`),
      stop: async () => void events.push(`stop ${s.endpoint.id} ${s.caller.url}`),
    });
    return { events, workers: new DeliveryWorkers(make, defaults(), silentLogger()) };
  };
  const apply = async (w: DeliveryWorkers, table: RouteTable) => {
    const prepared = w.prepare(table);
    if ('problem' in prepared) throw new Error(prepared.problem);
    await prepared.apply();
  };

  test('follows each table: stops before it starts again, so one worker per queue at a time', async () => {
    const { events, workers } = recorder();
    await apply(workers, tableOf(endpoint('a', {}), endpoint('b', {})));
    await apply(
      workers,
      tableOf(
        endpoint('a', { url: 'https://a2.example/itk' }),
        endpoint('b', {}),
        endpoint('c', {}),
      ),
    );
    await apply(workers, tableOf(endpoint('a', { url: 'https://a2.example/itk' })));
    expect(events).toEqual([
      'start a https://a.example/itk',
      'start b https://b.example/itk',
      'stop a https://a.example/itk',
      'start a https://a2.example/itk',
      'start c https://c.example/itk',
      'stop b https://b.example/itk',
      'stop c https://c.example/itk',
    ]);
    expect(workers.endpoints).toEqual(['a']);
    await workers.stop();
    expect(events.at(-1)).toBe('stop a https://a2.example/itk');
    // stopped: a later table starts nothing
    await apply(workers, tableOf(endpoint('d', {})));
    expect(workers.endpoints).toEqual([]);
  });

  test('a TLS file that cannot be used: a problem, and nothing changes', async () => {
    const { events, workers } = recorder();
    await apply(workers, tableOf(endpoint('a', {})));
    const prepared = workers.prepare(tableOf(endpoint('a', { tls: { ca: '/nowhere/ca.crt' } })));
    expect(prepared).toEqual({
      problem: expect.stringMatching(/^end point a's delivery: cannot read the CA certificate/),
    });
    expect(events).toEqual(['start a https://a.example/itk']);
  });
});
