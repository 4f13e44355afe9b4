/**
 * The messages being retried in place now because the store or the broker is unavailable
 * (handle-message.ts): for /readyz (not ready while any is) and the `itk_outage_*` metrics.
 */
export class InPlaceRetries {
  readonly #failing = new Map<object, string>();

  /** `key`'s message failed again as an outage, with `error`. */
  failing(key: object, error: string): void {
    this.#failing.set(key, error);
  }

  /** `key`'s message is no longer retried in place (done, failed otherwise, or given back). */
  done(key: object): void {
    this.#failing.delete(key);
  }

  get count(): number {
    return this.#failing.size;
  }

  /** Why the router is not ready, or undefined when no message is retried in place. */
  problem(): string | undefined {
    if (this.#failing.size === 0) return undefined;
    const last = [...this.#failing.values()].at(-1);
    return `${this.#failing.size} message(s) retrying in place: ${last}`;
  }
}
