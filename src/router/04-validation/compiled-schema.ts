/**
 * A schema compiled once, as written: libxml2 validates every value exactly as the document
 * holds it (no second, hand-written check of the patterns).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  compileXsdSource,
  xsdErrors,
  type ErrorDetail,
  type XmlDocument,
  type XmlElement,
  type XsdValidator,
} from './xml-engine.js';

/** What validates a document: the compiled schema. */
export interface SchemaPair {
  readonly validator: XsdValidator;
}

export interface CompiledSchema extends SchemaPair {
  dispose(): void;
}

/** libxml2's schema errors for `node`. */
export function schemaErrors(schema: SchemaPair, node: XmlDocument | XmlElement): ErrorDetail[] {
  return xsdErrors(schema.validator, node);
}

/** Compile `file`, its includes / imports only from `root`. */
export function compileSchema(file: string, root: string): CompiledSchema {
  const absolute = path.resolve(file);
  const full = compileXsdSource(fs.readFileSync(absolute), absolute, root);
  return { validator: full.validator, dispose: () => full.dispose() };
}
