/**
 * The session cookie, read from and written to the headers by hand (two small functions rather
 * than a plugin): `itk_session=<id>; Path=/; HttpOnly; SameSite=Strict[; Secure]`.
 */
export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds; 0 deletes the cookie. Absent: a session cookie (gone when the browser closes). */
  readonly maxAge?: number;
}

/** The value of cookie `name` in a Cookie header; undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie header value. `value` must be URL-safe (the session ids are base64url). */
export function cookieHeader(name: string, value: string, o: CookieOptions): string {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) throw new Error('cookie value must be base64url');
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    ...(o.secure ? ['Secure'] : []),
    ...(o.maxAge !== undefined ? [`Max-Age=${o.maxAge}`] : []),
  ].join('; ');
}
