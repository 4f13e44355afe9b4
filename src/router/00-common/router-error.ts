/**
 * The base of every error the runtime throws on purpose (transport, store, config, validation,
 * pipeline): a stable `code`, for logs, exit codes and docs/errors.md ("Router error codes"), and
 * `retryable`: true only when the same work may succeed later, unchanged, because what failed is a
 * dependency (the broker, the database), not the input. The pipeline tells an outage (retried in
 * place, costing the message nothing) from a failure the message causes by `retryable` alone.
 */
export class RouterError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly retryable = false,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}
