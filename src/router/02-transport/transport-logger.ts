/** The little the transport needs from a logger; a winston logger satisfies it. */
export interface TransportLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Discards everything: the default when no logger is passed in. */
export const silentLogger: TransportLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** An error as log metadata. */
export const errorMeta = (err: unknown): Record<string, unknown> =>
  err instanceof Error
    ? { error: err.message, code: (err as { code?: unknown }).code }
    : { error: String(err) };
