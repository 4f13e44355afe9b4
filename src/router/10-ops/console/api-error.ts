/**
 * The API's errors: `{"error": {"code", "message"}}` with the HTTP status that says what went
 * wrong. Codes are stable names a client may act on; messages say what was wrong and where.
 */
export const API_ERRORS = {
  'not-signed-in': 401,
  'no-users': 401,
  forbidden: 403,
  'csrf-missing': 403,
  'not-found': 404,
  'invalid-request': 400,
  'too-many-attempts': 429,
  unavailable: 503,
  failed: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = API_ERRORS[code];
  }
}

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** The JSON Schema of every error answer. */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
