/**
 * Sign-in throttling per client address: failures are counted over a window (15 minutes); from
 * the {@link SLOW_FROM}th failure each answer is held back a little longer, and from the
 * {@link REFUSE_FROM}th the client is refused (429) until its window ends. A success clears it.
 */
export const WINDOW_MS = 15 * 60_000;
export const SLOW_FROM = 5;
export const REFUSE_FROM = 10;
/** The hold per failure past SLOW_FROM − 1. */
export const STEP_MS = 250;
const MAX_CLIENTS = 100_000;

interface Failures {
  count: number;
  first: number;
}

export type ThrottleVerdict =
  | { readonly allowed: true; readonly delayMs: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export class SignInThrottle {
  readonly #clients = new Map<string, Failures>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  #current(client: string): Failures | undefined {
    const f = this.#clients.get(client);
    if (f && this.now().getTime() - f.first > WINDOW_MS) {
      this.#clients.delete(client);
      return undefined;
    }
    return f;
  }

  /** Before checking a password: may this client try, and after how long a hold? */
  verdict(client: string): ThrottleVerdict {
    const f = this.#current(client);
    const count = f?.count ?? 0;
    if (f && count >= REFUSE_FROM) {
      const left = f.first + WINDOW_MS - this.now().getTime();
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
    }
    return {
      allowed: true,
      delayMs: count >= SLOW_FROM - 1 ? (count - SLOW_FROM + 2) * STEP_MS : 0,
    };
  }

  failed(client: string): void {
    const f = this.#current(client);
    if (f) f.count++;
    else {
      if (this.#clients.size >= MAX_CLIENTS)
        this.#clients.delete(this.#clients.keys().next().value!);
      this.#clients.set(client, { count: 1, first: this.now().getTime() });
    }
  }

  succeeded(client: string): void {
    this.#clients.delete(client);
  }
}
