/**
 * JSON Schemas of the API: what each route accepts (checked by Fastify before the handler runs,
 * a 400 naming the field otherwise) and what it answers (serialised through the schema, so no
 * field leaves that the schema does not name).
 */
import { MESSAGE_STATES } from '../../08-store/states.js';
import { AUDIT_ACTIONS } from '../../08-store/audit-log.js';
import { ERROR_SCHEMA } from './api-error.js';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const int = { type: 'integer' } as const;
const strings = { type: 'array', items: str } as const;

/** End point ids and user names, as the routes and users file allow them. */
const ENDPOINT_ID = { type: 'string', pattern: '^[a-z0-9-]{1,100}$' } as const;

const errors = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 404: ERROR_SCHEMA };

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

export const SESSION_BODY = object({
  username: { type: 'string', minLength: 1, maxLength: 64 },
  password: { type: 'string', minLength: 1, maxLength: 1024 },
});

export const SESSION_ANSWER = object({
  user: str,
  role: str,
  csrfToken: nstr,
  idleSeconds: int,
});

export const SEARCH_QUERY = object(
  {
    trackingId: { type: 'string', minLength: 1, maxLength: 200 },
    sender: ENDPOINT_ID,
    recipient: ENDPOINT_ID,
    state: { type: 'string', enum: [...MESSAGE_STATES] },
    service: { type: 'string', minLength: 1, maxLength: 500 },
    since: time,
    until: time,
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 200 },
  },
  [],
);

const SUMMARY = object({
  trackingId: str,
  sender: nstr,
  recipients: strings,
  service: str,
  state: str,
  outcome: nstr,
  received: time,
  lastChange: time,
});

export const SEARCH_ANSWER = object({ messages: { type: 'array', items: SUMMARY }, next: nstr });

const EVENT = object({ state: str, at: time, detail: nstr, endpoint: nstr, code: nstr, ack: nstr });
const RESPONSE = object({ kind: str, trackingId: str, to: str, xml: str }, [
  'kind',
  'trackingId',
  'to',
]);
const HISTORY = object({
  trackingId: str,
  generation: int,
  sender: nstr,
  brokerUser: nstr,
  senderAddress: nstr,
  service: str,
  interaction: nstr,
  state: str,
  outcome: nstr,
  received: time,
  completed: { type: ['string', 'null'], format: 'date-time' },
  size: int,
  events: { type: 'array', items: EVENT },
  responses: { type: 'array', items: RESPONSE },
});
const HISTORIES = { type: 'array', items: HISTORY };

export const STORY_ANSWER = object({
  trackingId: str,
  messages: HISTORIES,
  answeredBy: HISTORIES,
  about: HISTORIES,
  carePlanVersions: {
    type: 'array',
    items: object({ planId: str, version: int, event: str, by: str, at: time }),
  },
});

export const TRACKING_PARAMS = object({
  trackingId: { type: 'string', minLength: 1, maxLength: 200 },
});
export const BODY_QUERY = object({ sender: ENDPOINT_ID }, []);

export const QUARANTINE_ANSWER = object({
  depth: int,
  entries: {
    type: 'array',
    items: object({
      id: str,
      code: nstr,
      text: nstr,
      sender: nstr,
      trackingId: nstr,
      when: nstr,
      size: int,
    }),
  },
});
export const ENTRY_PARAMS = object({
  id: { type: 'string', pattern: '^[0-9a-f]{4,64}(-[0-9]+)?$' },
});
export const REASON_BODY = object({ reason: { type: 'string', minLength: 1, maxLength: 500 } });
export const ACTION_ANSWER = object({ id: str, status: str, trackAs: str, reason: str }, [
  'id',
  'status',
]);

export const OVERDUE_ANSWER = object({
  overdue: {
    type: 'array',
    items: object({
      trackingId: str,
      sender: nstr,
      service: str,
      ack: str,
      from: str,
      due: time,
      markedOverdue: time,
      lateSeconds: int,
    }),
  },
});

export const CAREPLAN_QUERY = object({ nhsNumber: { type: 'string', pattern: '^[0-9]{10}$' } });
const PLAN_VERSION = object({ version: int, event: str, by: str, trackingId: str, at: time });
export const CAREPLAN_ANSWER = object({
  nhsNumber: str,
  plans: {
    type: 'array',
    items: object({
      planId: str,
      planType: str,
      status: str,
      title: str,
      owner: str,
      ownerAddress: str,
      version: int,
      consentToShare: { type: 'boolean' },
      sharedWith: strings,
      lastUpdated: str,
      closed: { type: 'boolean' },
      versions: { type: 'array', items: PLAN_VERSION },
    }),
  },
});

export const STATS_QUERY = object(
  { window: { type: 'string', enum: ['15m', '1h', '6h', '24h'], default: '1h' } },
  [],
);
const COUNTS = { type: 'object', additionalProperties: int } as const;
export const STATS_ANSWER = object({
  window: str,
  since: time,
  until: time,
  bucketSeconds: int,
  throughput: {
    type: 'array',
    items: object({ at: time, received: int, outcomes: COUNTS }),
  },
  outcomes: COUNTS,
  nacksByCode: COUNTS,
  latencyMs: object({
    sample: int,
    p50: { type: ['integer', 'null'] },
    p95: { type: ['integer', 'null'] },
    p99: { type: ['integer', 'null'] },
  }),
  quarantineDepth: { type: ['integer', 'null'] },
  acksOverdue: object({ inf: int, bus: int }),
  broker: str,
  store: str,
});

export const AUDIT_QUERY = object(
  {
    since: time,
    until: time,
    user: { type: 'string', minLength: 1, maxLength: 64 },
    action: { type: 'string', enum: [...AUDIT_ACTIONS] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    cursor: { type: 'string', pattern: '^[0-9]{1,18}$' },
  },
  [],
);
export const AUDIT_ANSWER = object({
  entries: {
    type: 'array',
    items: object({
      at: time,
      user: str,
      role: nstr,
      action: str,
      target: nstr,
      detail: nstr,
      outcome: str,
      client: str,
    }),
  },
  next: nstr,
});

export const USERS_ANSWER = object({
  users: { type: 'array', items: object({ name: str, role: str, tokens: int }) },
});

/** A route's schema: its inputs and its answers, errors included. */
export const schema = (s: Record<string, unknown>, ok: unknown, status = 200) => ({
  ...s,
  response: { [status]: ok, ...errors },
});
