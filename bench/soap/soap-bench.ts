/**
 * `npm run bench:soap`: the same 3 KB care-plan notifications into one router, once published over
 * AMQP by the supplier and once called in by SOAP over HTTPS (mutual TLS, keep-alive, up to 64
 * calls in flight) through the web-service gateway, both delivered to an AMQP end point; same run,
 * alternating. Prints msg/s at full speed and p50 / p99 end-to-end latency at half of each path's
 * own maximum rate, and the web-service path's share of the AMQP path's throughput, and the
 * router's CPU time per message on each path at full speed (from /proc: Linux). Asserts nothing.
 * `BENCH_ROUTER_NODE_ARGS` (space-separated) is passed to the router's node, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it (written when the router stops), and
 * `BENCH_PATHS=soap` (or `amqp`) runs one path only (a profile of that path alone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { packagePath } from '../../src/router/00-common/package-root.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import { makeCerts } from '../../src/tools/sandbox/make-certs.js';
import { soapClient } from '../../src/tools/sandbox/soap-client.js';
import { createBenchVhost } from '../router/bench-vhost.js';
import { runLoad, type LoadResult } from '../router/load.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HALF_RATE_SECONDS = 4;
const SENDER = 'riverside-gp';
const DESTINATION = 'riverside-community';
const ROUTER_USER = 'itk-bench-router';
const names = topologyNames('itk');
const median = (xs: number[]) =>
  xs.length === 0 ? Number.NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A process's CPU time (user + system) in ms, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const ROUTES = `endpoints:
  riverside-gp: { name: GP, addresses: [urn:nhs-uk:addressing:ods:A83001], identities: [riverside-gp], certificates: [riverside-gp] }
  riverside-community: { name: Community, addresses: ['urn:nhs-uk:addressing:ods:RDE01:*'], identities: [riverside-community] }
careplans:
  locatorAddress: urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR
  planTypes: [end-of-life]
`;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

async function main(): Promise<void> {
  const vhost = createBenchVhost([SENDER, DESTINATION, ROUTER_USER]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-bench-soap-'));
  let router: ChildProcess | undefined;
  try {
    const certs = path.join(work, 'certs');
    makeCerts(certs, [SENDER]);
    fs.mkdirSync(path.join(work, 'routes'));
    fs.writeFileSync(path.join(work, 'routes', 'locality.yaml'), ROUTES);
    const template = fs.readFileSync(
      packagePath('test', 'fixtures', 'bench', 'careplan-notification-3k.xml'),
      'utf8',
    );
    const guestUrl = vhost.url('guest');
    const setup = await connect(guestUrl, { noDelay: true });
    await declareTopology(await setup.createChannel(), names, [SENDER, DESTINATION]);
    await setup.close();

    const soapPort = await freePort();
    const config = path.join(work, 'router.yaml');
    fs.writeFileSync(config, 'log: { level: warn }\n');
    router = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        packagePath('bin', 'itk-router.js'),
        'start',
        '--config',
        config,
      ],
      {
        env: {
          ...process.env,
          AMQP_URL: vhost.url(ROUTER_USER),
          ITK_ROUTER_ROUTES: path.join(work, 'routes'),
          ITK_ROUTER_STORE: `sqlite:${path.join(work, 'store.sqlite')}`,
          ITK_ROUTER_HTTP_PORT: '0',
          ITK_ROUTER_SOAP_PORT: String(soapPort),
          ITK_ROUTER_TLS_CERT: path.join(certs, 'router.crt'),
          ITK_ROUTER_TLS_KEY: path.join(certs, 'router.key'),
          ITK_ROUTER_TLS_CA: path.join(certs, 'ca.crt'),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    await sleep(2500); // the router logs nothing at warn level when it starts
    const client = soapClient(
      `https://localhost:${soapPort}/itk`,
      {
        cert: path.join(certs, `${SENDER}.crt`),
        key: path.join(certs, `${SENDER}.key`),
        ca: path.join(certs, 'ca.crt'),
      },
      64,
    );
    const soapSend = async (body: Buffer) => {
      const answer = await client.post(body, 'bench');
      if (answer.status !== 200) throw new Error(`gateway answered HTTP ${answer.status}`);
    };
    const load = (path: 'amqp' | 'soap', rate: number, count: number) =>
      runLoad({
        senderUrl: vhost.url(SENDER),
        senderUser: SENDER,
        receiverUrl: guestUrl,
        exchange: names.inboundExchange,
        destinationQueue: names.endpointQueue(DESTINATION),
        template,
        count,
        rate,
        timeoutMs: 60000,
        ...(path === 'soap' ? { send: soapSend } : {}),
      });
    const results = {
      amqp: { max: [] as LoadResult[], half: [] as LoadResult[], cpuUs: [] as number[] },
      soap: { max: [] as LoadResult[], half: [] as LoadResult[], cpuUs: [] as number[] },
    };
    const paths = (process.env.BENCH_PATHS ?? 'amqp,soap')
      .split(',')
      .filter((k): k is 'amqp' | 'soap' => k === 'amqp' || k === 'soap');
    for (const kind of paths) await load(kind, 0, 300); // warm-up
    // One message at a time (20/s): the cost of one call, without queueing.
    const slow = {
      amqp: paths.includes('amqp') ? await load('amqp', 20, 100) : undefined,
      soap: paths.includes('soap') ? await load('soap', 20, 100) : undefined,
    };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of paths) {
        const cpuBefore = cpuMs(router.pid);
        const max = await load(kind, 0, COUNT);
        const cpuAfter = cpuMs(router.pid);
        if (cpuBefore !== undefined && cpuAfter !== undefined)
          results[kind].cpuUs.push(((cpuAfter - cpuBefore) * 1000) / max.received);
        const rate = Math.max(50, Math.floor(max.msgPerSec / 2));
        const half = await load(kind, rate, Math.floor(rate * HALF_RATE_SECONDS));
        results[kind].max.push(max);
        results[kind].half.push(half);
        process.stderr.write(
          `round ${round} ${kind}: ${max.msgPerSec.toFixed(0)} msg/s max (router CPU ${results[kind].cpuUs.at(-1)?.toFixed(0) ?? '?'} µs/msg); at ${rate}/s p50 ${half.p50Ms.toFixed(1)} ms p99 ${half.p99Ms.toFixed(1)} ms\n`,
        );
      }
    }
    client.close();
    const row = (kind: 'amqp' | 'soap') => ({
      msgPerSec: median(results[kind].max.map((x) => x.msgPerSec)),
      p50: median(results[kind].half.map((x) => x.p50Ms)),
      p99: median(results[kind].half.map((x) => x.p99Ms)),
      cpuUs: median(results[kind].cpuUs),
      missing: [...results[kind].max, ...results[kind].half].reduce(
        (n, x) => n + x.sent - x.received,
        0,
      ),
    });
    const amqp = row('amqp');
    const soap = row('soap');
    console.log(
      `itk-router bench:soap: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}, ${new Date().toISOString()}`,
    );
    console.log(
      `${COUNT} × ${Buffer.byteLength(template)} B notifications per max-rate run, ${ROUNDS} rounds (medians), SQLite store`,
    );
    console.log(
      '| path into the router          |    msg/s | p50 ms ½ | p99 ms ½ | missing | router CPU µs/msg |',
    );
    console.log(
      '|-------------------------------|----------|----------|----------|---------|-------------------|',
    );
    for (const [name, x] of [
      ['AMQP publish (confirms)', amqp],
      ['SOAP over HTTPS (mTLS, 64)', soap],
    ] as const) {
      console.log(
        `| ${name.padEnd(29)} | ${x.msgPerSec.toFixed(0).padStart(8)} | ${x.p50.toFixed(1).padStart(8)} | ${x.p99.toFixed(1).padStart(8)} | ${String(x.missing).padStart(7)} | ${x.cpuUs.toFixed(0).padStart(17)} |`,
      );
    }
    const at20 = (x: LoadResult | undefined) =>
      x ? `p50 ${x.p50Ms.toFixed(1)} ms p99 ${x.p99Ms.toFixed(1)} ms` : 'not run';
    console.log(`at 20 msg/s (no queueing): AMQP ${at20(slow.amqp)}; SOAP ${at20(slow.soap)}`);
    console.log(
      `load average (1, 5, 15 min) at the end: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(', ')} on ${os.cpus().length} cores`,
    );
    console.log(
      `web-service path / AMQP path throughput: ${((soap.msgPerSec / amqp.msgPerSec) * 100).toFixed(0)}% (target ≥ 70%); SOAP p99 at half rate ${soap.p99.toFixed(1)} ms (target ≤ 50 ms)`,
    );
  } finally {
    if (router) {
      const exited = new Promise((resolve) => router!.once('exit', resolve));
      router.kill('SIGTERM');
      await Promise.race([exited, sleep(10000)]);
    }
    vhost.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
