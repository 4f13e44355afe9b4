/**
 * The conditions of a step, as checks that each say what they want and what they found, so a
 * failure shows exactly which condition a message broke. Built from a `Match` once its
 * placeholders are expanded; evaluated with one parse of the message.
 */
import type { Arrived } from './mailroom.js';
import type { Match, XPathCondition } from './model.js';
import { expand, type TemplateScope } from './template.js';
import {
  withParsed,
  xpathBoolean,
  xpathCount,
  xpathString,
  type NamespaceMap,
  type ParsedBody,
} from './xpath.js';

/** What a check found. */
export interface Verdict {
  readonly ok: boolean;
  /** The value found, when it helps to see it. */
  readonly actual?: string;
}

export interface Check {
  /** The condition in words, e.g. `header itk-sender = riverside-gp`. */
  readonly what: string;
  test(message: Arrived, parsed: ParsedBody): Verdict;
}

export interface CheckResult extends Verdict {
  readonly what: string;
}

/** What building checks needs from the case. */
export interface CheckContext {
  readonly scope: TemplateScope;
  readonly namespaces: NamespaceMap;
  /** The end point id of a role (or `router`). */
  endpointOf(role: string): string;
}

const shown = (value: unknown): string =>
  value === undefined ? '(not set)' : JSON.stringify(String(value));

/** A check on an XPath's string value. */
export function xpathEquals(what: string, path: string, expected: string, ns: NamespaceMap): Check {
  return {
    what: `${what} = ${JSON.stringify(expected)}`,
    test: (_m, p) => {
      if (!p.ok) return { ok: false, actual: p.error };
      const value = xpathString(p.doc, path, ns);
      return { ok: value === expected, actual: shown(value) };
    },
  };
}

function xpathCheck(c: XPathCondition, scope: TemplateScope, ns: NamespaceMap): Check {
  if (typeof c === 'string') {
    const expr = expand(c, scope);
    return {
      what: `XPath ${expr}`,
      test: (_m, p) =>
        p.ok
          ? { ok: xpathBoolean(p.doc, expr, ns), actual: 'false' }
          : { ok: false, actual: p.error },
    };
  }
  const path = expand(c.path, scope);
  if (c.count !== undefined) {
    return {
      what: `count(${path}) = ${c.count}`,
      test: (_m, p) => {
        if (!p.ok) return { ok: false, actual: p.error };
        const n = xpathCount(p.doc, path, ns);
        return { ok: n === c.count, actual: String(n) };
      },
    };
  }
  if (c.equals !== undefined) return xpathEquals(path, path, expand(String(c.equals), scope), ns);
  const notEquals = c.notEquals !== undefined ? expand(String(c.notEquals), scope) : undefined;
  const pattern = c.matches !== undefined ? new RegExp(expand(c.matches, scope)) : undefined;
  const what =
    notEquals !== undefined
      ? `${path} ≠ ${JSON.stringify(notEquals)}`
      : pattern
        ? `${path} matches ${pattern}`
        : `${path} exists`;
  return {
    what,
    test: (_m, p) => {
      if (!p.ok) return { ok: false, actual: p.error };
      const value = xpathString(p.doc, path, ns);
      const exists = xpathBoolean(p.doc, path, ns);
      const ok =
        notEquals !== undefined ? value !== notEquals : pattern ? pattern.test(value) : exists;
      return { ok, actual: exists ? shown(value) : '(absent)' };
    },
  };
}

/** The checks of a match (ack checks come from ack-checks.ts). */
export function matchChecks(m: Match, ctx: CheckContext): Check[] {
  const { scope, namespaces: ns } = ctx;
  const checks: Check[] = [];
  if (m.from === 'router' || m.from === 'locator') {
    // the router's own message: its DE senderAddress is the router's (or the locator's) address
    const address = expand(m.from === 'router' ? '{{router.address}}' : '{{locator}}', scope);
    checks.push(
      xpathEquals(
        `sent by the ${m.from} (DE senderAddress)`,
        '/itk:DistributionEnvelope/itk:header/itk:senderAddress/@uri',
        address,
        ns,
      ),
    );
  } else if (m.from !== undefined) {
    const id = ctx.endpointOf(m.from);
    checks.push({
      what: `sent by ${id} (header itk-sender)`,
      test: (msg) => ({
        ok: msg.headers['itk-sender'] === id,
        actual: shown(msg.headers['itk-sender']),
      }),
    });
  }
  if (m.bodyEquals !== undefined) {
    const expected = Buffer.from(expand(m.bodyEquals, scope), 'utf8');
    checks.push({
      what: `body equals, byte for byte, the ${expected.length} bytes expected`,
      test: (msg) => {
        if (msg.body.equals(expected)) return { ok: true };
        let i = 0;
        while (i < msg.body.length && i < expected.length && msg.body[i] === expected[i]) i++;
        return { ok: false, actual: `${msg.body.length} bytes, first difference at byte ${i}` };
      },
    });
  }
  for (const [name, value] of Object.entries(m.properties ?? {})) {
    const expected = expand(String(value), scope);
    checks.push({
      what: `property ${name} = ${JSON.stringify(expected)}`,
      test: (msg) => ({
        ok: String(msg.properties[name]) === expected,
        actual: shown(msg.properties[name]),
      }),
    });
  }
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    const expected = expand(String(value), scope);
    checks.push({
      what: `header ${name} = ${JSON.stringify(expected)}`,
      test: (msg) => ({ ok: msg.headers[name] === expected, actual: shown(msg.headers[name]) }),
    });
  }
  if (m.service !== undefined)
    checks.push(
      xpathEquals(
        'service',
        '/itk:DistributionEnvelope/itk:header/@service',
        expand(m.service, scope),
        ns,
      ),
    );
  for (const c of m.xpath ?? []) checks.push(xpathCheck(c, scope, ns));
  return checks;
}

/** Every check on one message, the body parsed once. */
export function evaluate(checks: readonly Check[], message: Arrived): CheckResult[] {
  return withParsed(message.body, (parsed) =>
    checks.map((c) => {
      try {
        return { what: c.what, ...c.test(message, parsed) };
      } catch (err) {
        return {
          what: c.what,
          ok: false,
          actual: `cannot evaluate: ${(err as Error).message.split('\n')[0]}`,
        };
      }
    }),
  );
}
