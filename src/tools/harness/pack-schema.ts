/**
 * The JSON Schemas of a pack's YAML files (pack.yaml and cases/*.yaml), checked with ajv so a
 * pack's author gets every problem with its file, line and key (load-pack.ts).
 */
import { Ajv, type ValidateFunction } from 'ajv';

const str = { type: 'string', minLength: 1 };
const strMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };
const duration = { type: ['string', 'number'] };
const strList = { anyOf: [str, { type: 'array', items: str, minItems: 1 }] };

const common = { requirement: str, note: str };

const xpathCondition = {
  anyOf: [
    str,
    {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: str,
        equals: { type: ['string', 'number'] },
        notEquals: { type: ['string', 'number'] },
        matches: str,
        count: { type: 'integer', minimum: 0 },
      },
    },
  ],
};

const ackFor = { for: str, trackingIdRef: str };

const matchProperties = {
  from: str,
  bodyEquals: str,
  properties: strMap,
  headers: strMap,
  service: str,
  xpath: { type: 'array', items: xpathCondition },
  infAck: {
    type: 'object',
    additionalProperties: false,
    properties: { ...ackFor, result: { enum: ['OK', 'Failure'] }, reportingIdentity: str },
  },
  busAck: {
    type: 'object',
    additionalProperties: false,
    properties: { ...ackFor, typeCode: strList },
  },
};

const capture = { type: 'object', additionalProperties: str };

const bodies: Record<string, object> = {
  send: {
    type: 'object',
    additionalProperties: false,
    required: ['as'],
    properties: {
      ...common,
      id: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
      as: str,
      template: str,
      file: str,
      again: str,
      with: strMap,
      userId: { type: 'boolean' },
      freshTrackingId: { type: 'boolean' },
    },
  },
  expect: {
    type: 'object',
    additionalProperties: false,
    required: ['at'],
    properties: { ...common, ...matchProperties, at: str, within: duration, capture },
  },
  expectNack: {
    type: 'object',
    additionalProperties: false,
    required: ['code'],
    properties: {
      ...common,
      ...matchProperties,
      at: str,
      within: duration,
      code: { type: ['string', 'number'] },
      diagnostic: str,
      for: str,
      trackingIdRef: str,
      unreadable: { type: 'boolean' },
      reportedBy: str,
      capture,
    },
  },
  expectNothing: {
    type: 'object',
    additionalProperties: false,
    required: ['at'],
    properties: {
      ...common,
      at: strList,
      for: duration,
      match: { type: 'object', additionalProperties: false, properties: matchProperties },
    },
  },
  call: {
    type: 'object',
    additionalProperties: false,
    required: ['as'],
    properties: {
      ...common,
      id: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
      as: str,
      certificate: { enum: ['own', 'unlisted', 'foreign', 'none'] },
      template: str,
      file: str,
      again: str,
      with: strMap,
      freshTrackingId: { type: 'boolean' },
      soap: {
        type: 'object',
        additionalProperties: false,
        properties: {
          soapAction: { type: 'string' },
          contentType: str,
          set: strMap,
          omit: strList,
          repeat: strList,
          replyTo: str,
          shift: duration,
          envelope: str,
        },
      },
      answer: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'integer', minimum: 100, maximum: 599 },
          refused: { type: 'boolean' },
          fault: {
            type: 'object',
            additionalProperties: false,
            properties: {
              faultcode: { enum: ['Client', 'Server'] },
              code: { type: ['string', 'number'] },
              text: str,
              diagnostic: str,
            },
          },
          xpath: { type: 'array', items: xpathCondition },
        },
      },
      capture,
    },
  },
  serve: {
    type: 'object',
    additionalProperties: false,
    required: ['at', 'answers'],
    properties: {
      ...common,
      at: str,
      answers: {
        anyOf: [
          { type: ['string', 'number'] },
          { type: 'array', minItems: 1, items: { type: ['string', 'number'] } },
        ],
      },
    },
  },
  action: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'text'],
    properties: { ...common, id: str, text: str, with: strMap },
  },
};

const step = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: { ...bodies, pause: duration },
};

const steps = { type: 'array', items: step };

export const PACK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'title', 'requirements'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9-]+$' },
    title: str,
    description: { type: 'string' },
    target: { enum: ['router', 'supplier'] },
    roles: { type: 'object', additionalProperties: { type: 'string', pattern: '^[a-z0-9-]+$' } },
    vars: {
      type: 'object',
      additionalProperties: {
        anyOf: [
          { type: ['string', 'number'] },
          {
            type: 'object',
            additionalProperties: false,
            properties: { default: { type: ['string', 'number'] }, description: str },
          },
        ],
      },
    },
    namespaces: { type: 'object', additionalProperties: str },
    requirements: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title'],
        properties: { id: str, title: str, text: str, ref: str },
      },
    },
    setup: steps,
  },
};

export const CASES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    cases: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'requirements', 'steps'],
        properties: {
          id: str,
          title: str,
          requirements: { type: 'array', items: str, minItems: 1 },
          needs: {
            type: 'object',
            additionalProperties: false,
            properties: {
              acks: { type: 'object', additionalProperties: { enum: ['endpoint', 'router'] } },
              routes: { type: 'array', items: str },
              subscriptions: { type: 'object', additionalProperties: str },
              locator: { type: 'boolean' },
              quarantine: { type: 'boolean' },
              opsUnlisted: { type: 'boolean' },
              gateway: { type: 'boolean' },
              webService: { type: 'array', items: str },
              certificates: {
                type: 'array',
                items: { enum: ['own', 'unlisted', 'foreign', 'none'] },
              },
            },
          },
          steps: { ...steps, minItems: 1 },
        },
      },
    },
  },
};

let compiled: { pack: ValidateFunction; cases: ValidateFunction } | undefined;

/** The two validators, compiled once on first use. */
export function packValidators(): { pack: ValidateFunction; cases: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
    compiled = { pack: ajv.compile(PACK_SCHEMA), cases: ajv.compile(CASES_SCHEMA) };
  }
  return compiled;
}
