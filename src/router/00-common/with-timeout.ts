/**
 * `work` or, if it has not settled within `ms`, a rejection naming `what`: an HTTP endpoint must
 * answer at once even when the broker or the store it asks is down (a scrape during an outage is
 * when Prometheus needs the answer). The work itself is not cancelled; its late result is dropped.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  work.catch(() => undefined); // a late rejection is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
