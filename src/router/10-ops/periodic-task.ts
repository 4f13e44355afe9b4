/**
 * A background task run every `intervalMs` (never two runs at once), for the router's
 * housekeeping: the ack-overdue watch and retention. A failing run is logged and the next one
 * tried at the next interval; `stop()` aborts the run in progress between its batches and waits
 * for it.
 */
import type { Logger } from '../00-common/logger.js';

export interface PeriodicTask {
  /** Runs once now (after any run in progress); resolves when it is done. */
  runNow(): Promise<void>;
  /** No more runs; resolves once the one in progress (if any) has stopped. */
  stop(): Promise<void>;
}

export function startPeriodicTask(options: {
  readonly name: string;
  readonly intervalMs: number;
  /** Before the first run (default `intervalMs`). */
  readonly firstDelayMs?: number;
  readonly log: Logger;
  /** One run; `signal` is aborted by stop(): finish the current batch and return. */
  readonly run: (signal: AbortSignal) => Promise<void>;
}): PeriodicTask {
  const { name, intervalMs, log, run } = options;
  const aborter = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const once = (): Promise<void> => {
    running = running.then(async () => {
      if (aborter.signal.aborted) return;
      try {
        await run(aborter.signal);
      } catch (err) {
        log.warn(`${name} failed; trying again at the next interval`, {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    });
    return running;
  };
  const schedule = (delayMs = intervalMs): void => {
    if (aborter.signal.aborted) return;
    timer = setTimeout(() => void once().then(() => schedule()), delayMs);
    timer.unref();
  };
  schedule(options.firstDelayMs);
  return {
    runNow: once,
    async stop() {
      aborter.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** Lets the event loop run (the pipeline's I/O) between two batches of background work. */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));
