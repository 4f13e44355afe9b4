/**
 * A URL (AMQP, PostgreSQL, HTTP) without its password, for logs, errors and printed output:
 * `amqp://ops:secret@host/vhost` → `amqp://ops:***@host/vhost`. Text outside the password is
 * kept as written; a password holding an unescaped `@` is hidden whole (up to the last `@` before
 * the path), and a string that is not a URL passes through unchanged.
 */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]*):[^/]*@/, '//$1:***@');
