/** winston, JSON lines on standard output; every line about a message carries its tracking id. */
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(
  level: string,
  stream: NodeJS.WritableStream = process.stdout,
): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    defaultMeta: { app: 'itk-router' },
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A logger that writes nothing (tests, CLI commands that print their own output). */
export const silentLogger = (): Logger =>
  winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });

/**
 * Adds `fields()` (e.g. the active span's `trace_id` and `span_id`) to every line `logger` and its
 * children write, read when the line is logged (not when winston formats it later).
 */
export function addLogFields(logger: Logger, fields: () => object | undefined): Logger {
  const write = logger.write.bind(logger);
  logger.write = ((info: object) => write({ ...fields(), ...info })) as Logger['write'];
  return logger;
}
