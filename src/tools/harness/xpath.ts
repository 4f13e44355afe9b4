/**
 * XPath over the messages the harness sees, through the project's XML engine: the router's
 * stage-1 safety check first (no DOCTYPE or entities, bounded size and depth), then libxml2 with
 * the options for untrusted input. One parse per message; always disposed.
 */
import { checkSafety, DEFAULT_LIMITS } from '../../router/04-validation/safety.js';
import { parseUntrusted, type XmlDocument } from '../../router/04-validation/xml-engine.js';

export type NamespaceMap = Readonly<Record<string, string>>;

/** A message's XML, parsed once, or why it could not be. */
export type ParsedBody =
  { readonly ok: true; readonly doc: XmlDocument } | { readonly ok: false; readonly error: string };

/** Parses `body`, runs `work` on it and disposes the document. */
export function withParsed<T>(body: Buffer, work: (parsed: ParsedBody) => T): T {
  const unsafe = checkSafety(body, DEFAULT_LIMITS)[0];
  if (unsafe) return work({ ok: false, error: `not parsed (unsafe: ${unsafe.rule})` });
  let doc: XmlDocument | undefined;
  try {
    doc = parseUntrusted(body, 'harness-message');
  } catch (err) {
    return work({ ok: false, error: `not well-formed XML: ${firstLine(err)}` });
  }
  try {
    return work({ ok: true, doc });
  } finally {
    doc.dispose();
  }
}

const firstLine = (err: unknown): string => {
  const details = (err as { details?: { message: string; line: number }[] }).details;
  if (details?.[0]) return `line ${details[0].line}: ${details[0].message.trim()}`;
  return String((err as Error).message ?? err).split('\n')[0] ?? '';
};

/** The XPath's value as a string (`string(expr)`); throws XmlXPathError on a bad expression. */
export const xpathString = (doc: XmlDocument, expr: string, ns: NamespaceMap): string =>
  String(doc.eval(`string(${expr})`, { ...ns }));

/** The XPath's value as a boolean (`boolean(expr)`). */
export const xpathBoolean = (doc: XmlDocument, expr: string, ns: NamespaceMap): boolean =>
  doc.eval(`boolean(${expr})`, { ...ns }) === true;

/** The number of nodes `expr` selects. */
export const xpathCount = (doc: XmlDocument, expr: string, ns: NamespaceMap): number =>
  Number(doc.eval(`count(${expr})`, { ...ns }));

const PROBE = Buffer.from('<probe/>', 'utf8');

/**
 * Why `expr` cannot be evaluated (syntax, unknown prefix), or undefined when it can. Placeholders
 * must already be replaced (by any value: only the syntax is checked).
 */
export function xpathProblem(expr: string, ns: NamespaceMap): string | undefined {
  // prefixes first, without libxml2 (which would also print its complaint to the console)
  const outsideLiterals = expr.replace(/'[^']*'|"[^"]*"/g, "''");
  for (const m of outsideLiterals.matchAll(/(?<![\w.-])([A-Za-z_][\w.-]*):(?!:)(?=[A-Za-z_*])/g)) {
    if (!Object.hasOwn(ns, m[1]!))
      return `Undefined namespace prefix: ${m[1]} (known: ${Object.keys(ns).join(', ')})`;
  }
  return withParsed(PROBE, (parsed) => {
    if (!parsed.ok) return parsed.error;
    try {
      parsed.doc.eval(`boolean(${expr})`, { ...ns });
      return undefined;
    } catch (err) {
      return String((err as Error).message).split('\n')[0];
    }
  });
}
