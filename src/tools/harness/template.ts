/**
 * `{{placeholders}}` in messages and step values. A placeholder is a dotted name with an
 * optional default: `{{ep.gp.address}}`, `{{captured.planId}}`, `{{with.planType|falls}}`.
 *
 * Generated values: `{{newUuid}}` (a new upper-case UUID each time), `{{uuid.<name>}}` (one per
 * case and name), `{{nhsNumber.<name>}}` (a new valid NHS number in the 999 test range, one per
 * case and name), `{{now}}` (UTC `yyyy-MM-ddTHH:mm:ssZ`), `{{today}}` (`yyyy-MM-dd`).
 * Everything else is looked up in the values the runner gives (see run-context.ts).
 */
import { randomInt } from 'node:crypto';
import { newItkId } from '../../router/03-envelope/build-envelope.js';
import { isValidNhsNumber } from '../../router/04-validation/nhs-number.js';

const NAME = '[A-Za-z0-9_$.-]+';
const PLACEHOLDER = new RegExp(
  `\\{\\{\\s*(${NAME}(?:\\s*\\?\\?\\s*${NAME})*)\\s*(?:\\|([^}]*))?\\}\\}`,
  'g',
);

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** The values of one case: plain nested records, plus the values generated on demand. */
export class TemplateScope {
  constructor(
    readonly values: Record<string, unknown>,
    private readonly generated = new Map<string, string>(),
  ) {}

  /** A scope that sees `extra` first, sharing this scope's generated values. */
  with(extra: Record<string, unknown>): TemplateScope {
    return new TemplateScope({ ...this.values, ...extra }, this.generated);
  }

  lookup(name: string): string | undefined {
    const [head, ...rest] = name.split('.');
    switch (head) {
      case 'newUuid':
        return rest.length === 0 ? newItkId() : undefined;
      case 'now':
        return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      case 'today':
        return new Date().toISOString().slice(0, 10);
      case 'uuid':
      case 'nhsNumber':
        if (rest.length !== 1) return undefined;
        return this.memo(name, head === 'uuid' ? newItkId : newNhsNumber);
    }
    let node: unknown = this.values;
    for (const part of name.split('.')) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    if (typeof node === 'string') return node;
    if (typeof node === 'number' || typeof node === 'boolean') return String(node);
    return undefined;
  }

  private memo(key: string, make: () => string): string {
    let value = this.generated.get(key);
    if (value === undefined) this.generated.set(key, (value = make()));
    return value;
  }
}

export interface ExpandOptions {
  /** Escape the values for XML text and attributes (message templates). */
  readonly xml?: boolean;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
/** Text without the characters XML 1.0 cannot hold (a hostile message's NULs): U+FFFD instead. */
export const printable = (s: string): string => s.replace(NOT_XML, '\uFFFD');

/** `text` with every placeholder replaced. @throws TemplateError naming each unknown one. */
export function expand(text: string, scope: TemplateScope, options: ExpandOptions = {}): string {
  const unknown: string[] = [];
  const out = text.replace(PLACEHOLDER, (whole, names: string, fallback?: string) => {
    let value: string | undefined;
    for (const name of names.split('??')) value ??= scope.lookup(name.trim());
    value ??= fallback;
    if (value === undefined) {
      unknown.push(whole);
      return whole;
    }
    return options.xml ? escapeXml(value) : value;
  });
  if (unknown.length > 0) {
    throw new TemplateError(`no value for ${[...new Set(unknown)].join(', ')}`);
  }
  return out;
}

/** Every value of a record expanded. */
export function expandAll(
  record: Readonly<Record<string, string | number>>,
  scope: TemplateScope,
): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, expand(String(v), scope)]));
}

/** `text` with every placeholder replaced by `x`: for checking the syntax of what holds them. */
export const withDummies = (text: string): string => text.replace(PLACEHOLDER, 'x');

/** A new NHS number in the 999 test range with a valid modulus-11 check digit. */
export function newNhsNumber(): string {
  for (;;) {
    const stem = `999${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    const candidate = `${stem}${check === 11 ? 0 : check}`;
    if (isValidNhsNumber(candidate)) return candidate;
  }
}
