/**
 * `itk-router certs` (development certificates, made with openssl) and what `check` says about
 * web services: the gateway line, the gateway refused with a broker user the pipeline cannot
 * believe, and with --broker certificate files that do not load or a key that is not the
 * certificate's.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../support/run-cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-certs-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const certs = () => path.join(dir, 'certs');
const cert = (name: string) =>
  new X509Certificate(fs.readFileSync(path.join(certs(), `${name}.crt`)));

function writeConfig(amqpUser: string, keyOf = 'router'): string {
  const routes = path.join(dir, 'routes');
  fs.mkdirSync(routes, { recursive: true });
  fs.writeFileSync(
    path.join(routes, 'endpoints.yaml'),
    [
      'endpoints:',
      '  westfield-gp:',
      '    name: Westfield Surgery',
      '    addresses: [urn:nhs-uk:addressing:ods:B82002]',
      '    certificates: [westfield-gp]',
      '    delivery: { url: "https://127.0.0.1:9/itk" }',
      '',
    ].join('\n'),
  );
  const file = path.join(dir, `router-${amqpUser}-${keyOf}.yaml`);
  fs.writeFileSync(
    file,
    [
      `amqp: { url: "amqp://${amqpUser}:secret@127.0.0.1:1/nowhere" }`,
      'routes: routes',
      'store: { url: "sqlite::memory:" }',
      'webServices:',
      '  port: 8443',
      `  tls: { cert: certs/router.crt, key: certs/${keyOf}.key, ca: certs/ca.crt }`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('itk-router certs', () => {
  test('a CA, the router and each end point named (CN = its id), keys 0600; a second run keeps them', async () => {
    const first = await runCli(['certs', '--out', certs(), 'westfield-gp']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^made {2}.*ca\.crt$/m);
    expect(first.out).toMatch(/^made {2}.*westfield-gp\.crt$/m);
    const ca = cert('ca');
    expect(cert('router').subject).toBe('CN=itk-router');
    expect(cert('westfield-gp').subject).toBe('CN=westfield-gp');
    expect(cert('westfield-gp').verify(ca.publicKey)).toBe(true);
    expect(cert('router').subjectAltName).toContain('IP Address:127.0.0.1');
    expect(fs.statSync(path.join(certs(), 'westfield-gp.key')).mode & 0o777).toBe(0o600);
    const again = await runCli(['certs', '--out', certs(), 'westfield-gp', 'eastfield-gp']);
    expect(again.out).toMatch(/^kept {2}.*westfield-gp\.crt$/m);
    expect(again.out).toMatch(/^made {2}.*eastfield-gp\.crt$/m);
    expect(cert('eastfield-gp').verify(ca.publicKey)).toBe(true);
  });

  test("a name that is no end point id, or the router's own: exit 1 or 2 with the reason", async () => {
    const bad = await runCli(['certs', '--out', certs(), 'Not An Id']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('itk-router certs: "Not An Id" is not an end point id ([a-z0-9-]+)\n');
    expect((await runCli(['certs', 'x'])).code).toBe(2); // --out is required
  });
});

describe('itk-router check and web services', () => {
  test('the gateway line; refused (exit 1) when the router would connect as guest', async () => {
    const ok = await runCli(['check', '-c', writeConfig('itk-router')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      /^web {7}gateway https:\/\/0\.0\.0\.0:8443\/itk \(client certificates from .*ca\.crt\); 1 end point\(s\) by certificate, 1 delivered by web service$/m,
    );
    expect(ok.out).toContain('web service: https://127.0.0.1:9/itk');
    const guest = await runCli(['check', '-c', writeConfig('guest')]);
    expect(guest.code).toBe(1);
    expect(guest.err).toMatch(
      /^error: web services need a broker user of the router's own, not guest \(whose password everyone knows\): itk-router provision makes one \(docs\/web-services.md\)$/m,
    );
  });

  test("--broker: a key that is not the certificate's is named before any connection", async () => {
    const run = await runCli([
      'check',
      '--broker',
      '-c',
      writeConfig('itk-router', 'westfield-gp'),
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^itk-router check: the private key .*certs\/westfield-gp\.key is not the key of the certificate .*certs\/router\.crt\n$/,
    );
  });
});
