/**
 * TLS to the broker: `amqps://` with the CA, the router's client certificate and key, and the
 * server name checked, against a RabbitMQ TLS listener on loopback that requires a client
 * certificate (a private node: test/support/private-broker.ts). Certificates are made at run time
 * with the openssl binary in a temp folder. The config keys amqp.tls.{ca,cert,key,servername}
 * (relative to the file) and their ITK_ROUTER_AMQP_TLS_* overrides reach the connection.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadRouterConfig } from '../../src/router/01-config/index.js';
import type { AmqpTlsConfig } from '../../src/router/01-config/router-config.js';
import { BrokerRefusedError } from '../../src/router/02-transport/broker-errors.js';
import { BrokerConnection } from '../../src/router/02-transport/connection.js';
import { startPrivateBroker, type PrivateBroker } from '../support/private-broker.js';

// Made when the file loads: the cases below name files in it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-tls-'));
let broker: PrivateBroker;
const pem = (name: string) => path.join(dir, name);

/** A CA, a server certificate for DNS:localhost and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=itk test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  fs.writeFileSync(pem('server.ext'), 'subjectAltName=DNS:localhost\n');
  for (const [name, subject, ext] of [
    ['server', '/CN=localhost', ['-extfile', 'server.ext']],
    ['client', '/CN=itk-router', []],
  ] as const) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      `${name}.pem`,
      ...ext,
    );
  }
  // A second CA, which signed nothing the broker shows.
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=other CA',
    '-keyout',
    'other.key',
    '-out',
    'other.pem',
  );
}

beforeAll(async () => {
  makeCertificates();
  broker = await startPrivateBroker({
    configLines: [
      'listeners.ssl.default = 127.0.0.1:{port}',
      `ssl_options.cacertfile = ${pem('ca.pem')}`,
      `ssl_options.certfile = ${pem('server.pem')}`,
      `ssl_options.keyfile = ${pem('server.key')}`,
      'ssl_options.verify = verify_peer',
      'ssl_options.fail_if_no_peer_cert = true',
    ],
  });
}, 120_000);

afterAll(async () => {
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

const amqpsUrl = () => `amqps://guest:guest@127.0.0.1:${broker.extraPort}/`;

/** Connects once (no retries); resolves when connected, rejects with why not. */
async function connectWith(tls: AmqpTlsConfig, url = amqpsUrl()): Promise<void> {
  const connection = new BrokerConnection({ url, tls, initialMaxRetries: 1 });
  try {
    await connection.start();
    expect(connection.state).toBe('connected');
    const channel = await connection.createChannel();
    await channel.checkQueue('amq.rabbitmq.trace').catch(() => undefined);
  } finally {
    await connection.close();
  }
}

const full = (): AmqpTlsConfig => ({
  ca: pem('ca.pem'),
  cert: pem('client.pem'),
  key: pem('client.key'),
  servername: 'localhost',
});

describe('amqps:// to a listener that requires a client certificate', () => {
  test('with the CA, client certificate and key, and the name on the certificate: connected', async () => {
    await expect(connectWith(full())).resolves.toBeUndefined();
  }, 30_000);

  test.each([
    [
      'a server name the certificate does not carry',
      { servername: 'broker.example' },
      /broker\.example|altnames|Hostname/i,
    ],
    [
      'the IP address (no servername): the certificate names localhost',
      { servername: undefined },
      /127\.0\.0\.1|altnames|IP/i,
    ],
    ['a CA that did not sign the broker certificate', { ca: pem('other.pem') }, /certificate/i],
    ["no CA (Node's list does not hold the test CA)", { ca: undefined }, /certificate/i],
  ])(
    'refused: %s, named as a TLS failure with the fix',
    async (_, change, named) => {
      const tls = { ...full(), ...change };
      const failure = await connectWith(tls).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(BrokerRefusedError);
      expect((failure as Error).message).toMatch(/TLS handshake/);
      expect((failure as Error).message).toMatch(named);
      expect((failure as Error).message).toContain('amqp.tls');
    },
    30_000,
  );

  test('refused: no client certificate (the broker requires one)', async () => {
    const failure = await connectWith({ ca: pem('ca.pem'), servername: 'localhost' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
  }, 30_000);
});

describe('config: amqp.tls and its environment overrides reach the connection', () => {
  test('files relative to the config file; the overrides win; then it connects', async () => {
    const file = path.join(dir, 'router.yaml');
    fs.writeFileSync(
      file,
      [
        'amqp:',
        `  url: ${amqpsUrl()}`,
        '  tls:',
        '    ca: other.pem', // wrong CA, overridden below
        '    cert: client.pem',
        '    key: client.key',
        '    servername: localhost',
        '',
      ].join('\n'),
    );
    const config = loadRouterConfig(file, { ITK_ROUTER_AMQP_TLS_CA: pem('ca.pem') });
    expect(config.amqp.tls).toEqual(full());
    expect(config.envOverrides).toContain('ITK_ROUTER_AMQP_TLS_CA');
    await expect(connectWith(config.amqp.tls ?? {}, config.amqp.url)).resolves.toBeUndefined();
  }, 30_000);

  test('refused at load: a missing file, cert without key, TLS with an amqp:// URL', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      [
        'amqp:',
        '  url: amqp://guest:guest@127.0.0.1:5672/',
        '  tls:',
        '    ca: nowhere.pem',
        '    cert: client.pem',
        '',
      ].join('\n'),
    );
    let problems: string[] = [];
    try {
      loadRouterConfig(file, {});
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems.map((p) => `${p.key}: ${p.message}`);
    }
    expect(problems).toEqual([
      'amqp.tls: TLS settings need an amqps:// broker URL (amqp.url or AMQP_URL)',
      expect.stringMatching(/^amqp\.tls\.ca: file not found: .*nowhere\.pem$/),
      'amqp.tls.cert: a client certificate needs both cert and key',
    ]);
  });
});
