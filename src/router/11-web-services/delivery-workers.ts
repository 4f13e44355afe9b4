/**
 * The delivery workers of the router, one per end point with `delivery.url`, following the routes
 * in force: at start-up, and after every routes reload (routes-reloader.ts calls `prepare` on the
 * new routes before they are swapped in, and the result's `apply` after).
 *
 * - `prepare` reads each delivering end point's settings: URL, timeout, concurrency and the bytes
 *   of its TLS files (read and checked now: a file that cannot be used refuses the reload, and the
 *   router keeps its last good routes, as at start-up); nothing changes yet.
 * - `apply` compares with the workers running (`planWorkers`, pure): a worker starts for each new
 *   delivering end point; a worker whose end point lost `delivery.url` or left the routes stops;
 *   a worker whose settings changed (the URL, the timeout, the concurrency, or the bytes of a
 *   certificate, key or CA, a file renewed in place included) stops and a new one starts with the
 *   new settings. A stopping worker finishes the message in hand (a call in flight is answered and
 *   settled; a message waiting to be called again goes back to its queue) and its unacked messages
 *   return to the queue before anything else consumes it, so none is lost and none acked twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../00-common/logger.js';
import type { Endpoint } from '../01-config/routes-config.js';
import type { WebServicesConfig } from '../01-config/router-config.js';
import type { RouteTable } from '../05-routing/index.js';
import type { DeliveryWorker } from './delivery-worker.js';
import type { CallerOptions } from './https-caller.js';
import { loadTlsFiles, TlsFileError } from './tls-files.js';

export type Delivering = Endpoint & { readonly delivery: NonNullable<Endpoint['delivery']> };

/** The TLS files of calls to an end point: its own `delivery.tls`, else `webServices.tls`. */
export function deliveryTls(
  endpoint: Delivering,
  defaults: WebServicesConfig['tls'] | undefined,
): { ca?: string; cert?: string; key?: string } {
  const own = endpoint.delivery.tls;
  const ca = own?.ca ?? defaults?.ca;
  const [cert, key] = own?.cert ? [own.cert, own.key] : [defaults?.cert, defaults?.key];
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

/** What a worker is started with, and a digest of it (equal digests: nothing to restart for). */
export interface WorkerSettings {
  readonly endpoint: Delivering;
  readonly caller: CallerOptions;
  readonly digest: string;
}

/**
 * The settings of every delivering end point of `table`, its TLS files read and checked.
 * Throws TlsFileError naming the end point and the file when one cannot be used.
 */
export function deliverySettings(
  table: RouteTable,
  defaults: WebServicesConfig['tls'] | undefined,
): Map<string, WorkerSettings> {
  const out = new Map<string, WorkerSettings>();
  for (const endpoint of table.endpoints.values()) {
    if (!endpoint.delivery) continue;
    const delivering = endpoint as Delivering;
    let files;
    try {
      files = loadTlsFiles(deliveryTls(delivering, defaults));
    } catch (err) {
      if (err instanceof TlsFileError)
        throw new TlsFileError(`end point ${endpoint.id}'s delivery: ${err.message}`);
      throw err;
    }
    const { ca, cert, key } = files;
    const { url, timeoutMs, concurrency } = delivering.delivery;
    const caller: CallerOptions = {
      url,
      timeoutMs,
      concurrency,
      ...(ca && { ca }),
      ...(cert && key && { cert, key }),
    };
    const hash = createHash('sha256').update(JSON.stringify({ url, timeoutMs, concurrency }));
    for (const bytes of [ca, cert, key]) hash.update('\0').update(bytes ?? '');
    out.set(endpoint.id, { endpoint: delivering, caller, digest: hash.digest('hex') });
  }
  return out;
}

export interface WorkerPlan {
  /** New delivering end points. */
  readonly start: readonly string[];
  /** End points that lost `delivery.url`, or left the routes. */
  readonly stop: readonly string[];
  /** End points whose delivery settings changed. */
  readonly restart: readonly string[];
}

/** What to do to go from the workers `running` (id → digest) to those `wanted` (pure). */
export function planWorkers(
  running: ReadonlyMap<string, string>,
  wanted: ReadonlyMap<string, { readonly digest: string }>,
): WorkerPlan {
  const start: string[] = [];
  const restart: string[] = [];
  for (const [id, w] of wanted) {
    const digest = running.get(id);
    if (digest === undefined) start.push(id);
    else if (digest !== w.digest) restart.push(id);
  }
  const stop = [...running.keys()].filter((id) => !wanted.has(id));
  return { start, stop, restart };
}

export const isEmptyPlan = (p: WorkerPlan): boolean =>
  p.start.length + p.stop.length + p.restart.length === 0;

/** Routes prepared for the workers: a reason to refuse them, or what to do once they are in force. */
export type PreparedRoutes = { readonly problem: string } | { apply(): Promise<void> };

export class DeliveryWorkers {
  readonly #running = new Map<
    string,
    { readonly digest: string; readonly worker: DeliveryWorker }
  >();
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    private readonly make: (settings: WorkerSettings) => DeliveryWorker,
    private readonly tlsDefaults: WebServicesConfig['tls'] | undefined,
    private readonly log: Logger,
  ) {}

  /** End points with a worker now. */
  get endpoints(): readonly string[] {
    return [...this.#running.keys()];
  }

  /** Reads the settings `table` asks for (nothing changes until `apply`). */
  prepare(table: RouteTable): PreparedRoutes {
    let wanted: Map<string, WorkerSettings>;
    try {
      wanted = deliverySettings(table, this.tlsDefaults);
    } catch (err) {
      if (err instanceof TlsFileError) return { problem: err.message };
      throw err;
    }
    return { apply: () => this.#follow(wanted) };
  }

  /** Stops every worker (each after the message in hand); no worker starts after this. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain.catch(() => undefined);
    const all = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(all.map((r) => r.worker.stop()));
  }

  /** Brings the workers to `wanted`, one change set at a time. */
  #follow(wanted: ReadonlyMap<string, WorkerSettings>): Promise<void> {
    const run = this.#chain.then(() => this.#apply(wanted));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #apply(wanted: ReadonlyMap<string, WorkerSettings>): Promise<void> {
    if (this.#stopped) return;
    const digests = new Map([...this.#running].map(([id, r]) => [id, r.digest] as const));
    const plan = planWorkers(digests, wanted);
    if (isEmptyPlan(plan)) return;
    // Stop first (after the message in hand), so that no two workers ever consume one queue.
    await Promise.all(
      [...plan.stop, ...plan.restart].map(async (id) => {
        const r = this.#running.get(id);
        this.#running.delete(id);
        await r?.worker.stop();
      }),
    );
    const problems: string[] = [];
    for (const id of [...plan.restart, ...plan.start]) {
      if (this.#stopped) break;
      const settings = wanted.get(id)!;
      const worker = this.make(settings);
      try {
        await worker.start();
        this.#running.set(id, { digest: settings.digest, worker });
      } catch (err) {
        await worker.stop().catch(() => undefined);
        problems.push(`${id}: ${(err as Error).message}`);
      }
    }
    this.log.info('web-service delivery workers follow the routes', {
      started: plan.start,
      stopped: plan.stop,
      restarted: plan.restart,
    });
    if (problems.length > 0) {
      throw new Error(`delivery workers could not start: ${problems.join('; ')}`);
    }
  }
}
