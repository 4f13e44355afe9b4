/**
 * Each message in the evidence, in plain English, checked by the project's own validator (the
 * TKW validator's part): what it is, its tracking id, and whether it is valid.
 */
import { describeReceived } from '../simulator/describe.js';
import { readReceived } from '../simulator/index.js';
import type { Validator } from '../../router/04-validation/create-validator.js';

export interface MessageSummary {
  readonly summary: string;
  readonly trackingId?: string;
  readonly valid: boolean;
  /** Its first error findings, as `code rule: detail`. */
  readonly problems: readonly string[];
}

export function summarize(body: Buffer, validator: Validator): MessageSummary {
  try {
    const received = readReceived(body, validator);
    const problems = received.findings
      .filter((f) => f.severity === 'error')
      .slice(0, 5)
      .map((f) => `${f.code} ${f.rule}: ${f.detail}`);
    const line = describeReceived(received)
      .replace(/^received /, '')
      .replace(/; INVALID: .*$/, '');
    return {
      summary: line,
      ...(received.envelope ? { trackingId: received.envelope.trackingId } : {}),
      valid: received.valid,
      problems,
    };
  } catch (err) {
    return {
      summary: 'a message the validator could not read',
      valid: false,
      problems: [String((err as Error).message)],
    };
  }
}
