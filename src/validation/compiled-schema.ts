/**
 * A schema compiled once as written and, when pattern-free.ts can check its patterns in
 * JavaScript, once more without them (its pattern-free twin).
 *
 * Only the bundled schemas get twins. Their patterns were read one by one: each runs in linear
 * time in V8 and stays clear of libxml2's own regex quirks. An operator's patterns could do
 * neither (a nested quantifier such as ([A-Za-z]+ ?)* backtracks exponentially in V8, where
 * libxml2's automaton does not), so operator schemas are validated as written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { withoutPatterns, type PatternGuard } from './pattern-free.js';
import {
  compileXsdSource,
  xsdErrors,
  type ErrorDetail,
  type XmlDocument,
  type XmlElement,
  type XsdValidator,
} from './xml-engine.js';

export interface PatternFreeTwin {
  readonly validator: XsdValidator;
  readonly guard: PatternGuard;
}

/** A schema as written, with its pattern-free twin when it has one. */
export interface SchemaPair {
  readonly validator: XsdValidator;
  readonly patternFree?: PatternFreeTwin;
}

export interface CompiledSchema extends SchemaPair {
  dispose(): void;
}

/**
 * libxml2's schema errors for `node`, whose text is `ranges` of `text` (the parts of it the
 * schema validates). The twin, and then the patterns in JavaScript over those ranges, settle a
 * valid node; anything else is decided, and reported, by the schema as written.
 */
export function schemaErrors(
  schema: SchemaPair,
  node: XmlDocument | XmlElement,
  text: string,
  ranges: readonly (readonly [number, number])[],
): ErrorDetail[] {
  const twin = schema.patternFree;
  if (
    twin &&
    xsdErrors(twin.validator, node).length === 0 &&
    ranges.every(([start, end]) => twin.guard.accepts(text, start, end))
  )
    return [];
  return xsdErrors(schema.validator, node);
}

/**
 * Compile `file` (its includes / imports only from `root`), with its twin when `bundled` (a schema
 * of the project's own) and it has one.
 */
export function compileSchema(
  file: string,
  root: string,
  { bundled = false }: { bundled?: boolean } = {},
): CompiledSchema {
  const absolute = path.resolve(file);
  const source = fs.readFileSync(absolute);
  const full = compileXsdSource(source, absolute, root);
  const free = bundled
    ? compileTwin(source.toString('utf8'), absolute, path.resolve(root))
    : undefined;
  return {
    validator: full.validator,
    ...(free ? { patternFree: { validator: free.xsd.validator, guard: free.guard } } : {}),
    dispose: () => {
      full.dispose();
      free?.xsd.dispose();
    },
  };
}

function compileTwin(text: string, file: string, root: string) {
  const include = (location: string) => {
    const included = path.resolve(path.dirname(file), location);
    if (!included.startsWith(root + path.sep)) return undefined;
    try {
      return fs.readFileSync(included, 'utf8');
    } catch {
      return undefined;
    }
  };
  const free = withoutPatterns(text, include);
  if (!free) return undefined;
  try {
    return { xsd: compileXsdSource(free.xsdText, file, root), guard: free.guard };
  } catch {
    // The schema compiled as written; a twin that does not (it never should) is simply not used.
    return undefined;
  }
}
