/**
 * One broker connection that outlives broker restarts and dropped sockets: amqplib's recovery
 * reconnects with exponential backoff and jitter, and each reconnect re-runs the registered setup
 * tasks (declare topology, subscribe consumers) before the connection counts as connected again.
 * Sockets use `noDelay` (no Nagle delay on lone publishes); the connection and every channel it
 * creates have error listeners, so a broker error never becomes an uncaught exception.
 */
import { EventEmitter } from 'node:events';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type RecoveringChannelModel,
} from 'amqplib';
import type { BrokerConnectionOptions, ConnectionState, SetupTask } from './connection-options.js';
import { redactUrl } from '../00-common/redact-url.js';
import { socketOptions, withHeartbeat } from './connect-args.js';
import { BrokerRefusedError, describeBrokerFailure } from './broker-errors.js';
import { SetupTasks } from './setup-tasks.js';
import { errorMeta, silentLogger, type TransportLogger } from './transport-logger.js';

/** Emits `state` (state, error?) on every state change. Nothing connects until `start()`. */
export class BrokerConnection extends EventEmitter {
  #state: ConnectionState = 'idle';
  #lastError: Error | undefined;
  #model: ChannelModel | undefined;
  #recovering: RecoveringChannelModel | undefined;
  #starting: Promise<void> | undefined;
  #connectedOnce = false;
  #refused: BrokerRefusedError | undefined;
  readonly #tasks = new SetupTasks();
  readonly #log: TransportLogger;

  constructor(private readonly options: BrokerConnectionOptions) {
    super();
    this.#log = options.logger ?? silentLogger;
  }

  /** `connected` means ready (for /readyz). */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Why the last connection ended or the last attempt failed. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Connects and resolves once connected with every setup task run; retries with backoff meanwhile. */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /**
   * Registers `task` for every (re)connect and runs it now if connected. If it fails now, it is
   * unregistered and the error thrown (unless the connection was lost meanwhile: it runs on reconnect).
   */
  async addSetupTask(name: string, task: SetupTask): Promise<void> {
    this.#tasks.add(name, task);
    const model = this.#model;
    if (!model) return;
    try {
      await this.#tasks.run(name, model);
    } catch (err) {
      if (this.#model !== model) return;
      this.#tasks.remove(name);
      throw err;
    }
  }

  removeSetupTask(name: string): void {
    this.#tasks.remove(name);
  }

  /** A channel on the current connection (waits while reconnecting), with an error listener. */
  async createChannel(): Promise<Channel> {
    return this.#watch(await this.#recoveringModel().createChannel());
  }

  /** A confirm channel on the current connection (waits while reconnecting), with an error listener. */
  async createConfirmChannel(): Promise<ConfirmChannel> {
    return this.#watch(await this.#recoveringModel().createConfirmChannel());
  }

  /** Closes the connection and its channels, and stops reconnecting. */
  async close(): Promise<void> {
    this.#model = undefined;
    this.#setState('closed');
    await this.#recovering?.close();
  }

  async #start(): Promise<void> {
    if (this.#isClosed()) throw new Error('broker connection closed before start');
    this.#setState('connecting');
    const url = withHeartbeat(this.options.url, this.options.heartbeatSeconds ?? 10);
    const recovering = await connect(
      url,
      socketOptions(this.options, async (model) => {
        model.on('error', (err: Error) =>
          this.#log.warn('broker connection error', errorMeta(err)),
        );
        await this.#tasks.runAll(model);
      }),
    );
    this.#recovering = recovering;
    this.#listen(recovering);
    if (this.#isClosed()) await recovering.close(); // close() was called during connect()
    try {
      await recovering.waitForConnect();
    } catch (err) {
      throw this.#refused ?? err;
    }
  }

  /**
   * Logs why an attempt failed, in words, at error level, every time. Before the first connection,
   * a refusal retrying cannot fix (login, vhost, permissions, TLS) ends `start()` with a
   * {@link BrokerRefusedError} carrying the fix; once running, it keeps retrying (and alarming).
   */
  #failed(err: Error, what: string): void {
    const failure = describeBrokerFailure(err, this.options.url);
    const stop = failure.permanent && !this.#connectedOnce && this.options.stopOnRefusal !== false;
    this.#log.error(`${what}: ${failure.reason}`, {
      url: redactUrl(this.options.url),
      ...(failure.fix ? { fix: failure.fix } : {}),
      retrying: !stop,
      ...errorMeta(err),
    });
    if (stop && !this.#refused) {
      this.#refused = new BrokerRefusedError(failure, { cause: err });
      void this.#recovering?.close();
      this.#model = undefined;
      this.#setState('closed', err);
    }
  }

  #listen(recovering: RecoveringChannelModel): void {
    recovering.on('connect', (model: ChannelModel) => {
      this.#connectedOnce = true;
      this.#model = model;
      this.#setState('connected');
      this.#tasks
        .runAll(model)
        .catch((err) => this.#log.error('late setup task failed', errorMeta(err)));
    });
    const lost = (err: Error) => {
      this.#model = undefined;
      this.#lastError = err;
      if (this.#state !== 'closed') this.#setState('reconnecting', err);
    };
    recovering.on('disconnect', (err: Error | undefined) => {
      if (err && this.#state !== 'closed') this.#failed(err, 'broker connection lost');
      lost(err ?? new Error('broker connection lost'));
    });
    recovering.on('connect-failed', (err: Error) => {
      lost(err);
      if (this.#state !== 'closed') this.#failed(err, 'cannot connect to the broker');
    });
    recovering.on('reconnect-failed', (err: Error) => {
      this.#lastError = err;
      this.#setState('closed', err);
    });
    recovering.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      this.#log.warn('broker reconnect scheduled', {
        url: redactUrl(this.options.url),
        attempt,
        delay,
      }),
    );
    recovering.on('error', () => undefined); // logged by the model's own listener (setup)
    recovering.on('blocked', (reason: string) =>
      this.#log.warn('broker blocked the connection', { reason }),
    );
    recovering.on('unblocked', () => this.#log.info('broker unblocked the connection'));
  }

  #recoveringModel(): RecoveringChannelModel {
    if (!this.#recovering || this.#state === 'closed')
      throw new Error('broker connection not started, or closed');
    return this.#recovering;
  }

  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #watch<C extends Channel>(channel: C): C {
    channel.on('error', (err: Error) => this.#log.warn('broker channel error', errorMeta(err)));
    return channel;
  }

  #setState(state: ConnectionState, err?: Error): void {
    if (this.#state === state) return;
    this.#state = state;
    const meta = { url: redactUrl(this.options.url), ...(err ? errorMeta(err) : {}) };
    this.#log.info(`broker connection ${state}`, meta);
    this.emit('state', state, err);
  }
}
