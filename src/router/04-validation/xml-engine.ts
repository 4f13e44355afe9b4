/**
 * The one place that talks to libxml2 (libxml2-wasm): parsing untrusted bytes safely and
 * compiling XSDs once. See docs/xsd-engine.md for why this engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ParseOption,
  XmlDocument,
  XmlElement,
  XmlError,
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
} from 'libxml2-wasm';

export type { ErrorDetail, XmlDocument, XmlElement, XsdValidator };

/**
 * The element children of `parent` named `{ns}name`, in document order. A walk of the sibling
 * links: an XPath query compiles, registers and frees an expression each call (7% of a 3 KB
 * message's validation).
 */
export function childElements(parent: XmlElement, ns: string, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (let node = parent.firstChild; node; node = node.next) {
    if (node instanceof XmlElement && node.name === name && node.namespaceUri === ns)
      found.push(node);
  }
  return found;
}

/** The first element child of `parent`, whatever its name. */
export function firstChildElement(parent: XmlElement): XmlElement | null {
  for (let node = parent.firstChild; node; node = node.next)
    if (node instanceof XmlElement) return node;
  return null;
}
export { XmlLibError };

/**
 * Options for untrusted input: no network, no external entities, no entity substitution
 * (NOENT is never set), no DTD loading, no huge mode. Stage 1 has already refused any DOCTYPE.
 */
const UNTRUSTED = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

/** Parse untrusted bytes. Throws XmlLibError (with line and column details) when not well-formed. */
export function parseUntrusted(bytes: Uint8Array, name = 'message'): XmlDocument {
  return XmlDocument.fromBuffer(bytes, { option: UNTRUSTED, url: name });
}

const schemaRoots = new Set<string>();
let providerRegistered = false;

function insideSchemaRoots(filename: string): string | undefined {
  let file = filename;
  if (file.startsWith('file://')) file = new URL(file).pathname;
  const resolved = path.resolve(file);
  for (const root of schemaRoots) {
    if (resolved.startsWith(root + path.sep)) return resolved;
  }
  return undefined;
}

/**
 * XSD includes and imports are read only from the registered schema folders: a message can
 * never make libxml2 read another file, even if it got past stage 1.
 */
function ensureSchemaProvider(): void {
  if (providerRegistered) return;
  providerRegistered = true;
  xmlRegisterInputProvider({
    match: (filename) => insideSchemaRoots(filename) !== undefined,
    open: (filename) => {
      const file = insideSchemaRoots(filename);
      try {
        return file === undefined ? undefined : fs.openSync(file, 'r');
      } catch {
        return undefined;
      }
    },
    read: (fd, buf) => {
      try {
        return fs.readSync(fd, buf, 0, buf.byteLength, null);
      } catch {
        return -1;
      }
    },
    close: (fd) => {
      try {
        fs.closeSync(fd);
        return true;
      } catch {
        return false;
      }
    },
  });
}

/** A compiled schema; the schema document is kept alive with it, as libxml2 may refer to it. */
export interface CompiledXsd {
  readonly validator: XsdValidator;
  dispose(): void;
}

/** Compile an XSD file once. Its includes / imports may only come from `root`. */
export function compileXsd(file: string, root: string): CompiledXsd {
  return compileXsdSource(fs.readFileSync(path.resolve(file)), file, root);
}

/** Compile an XSD given as text or bytes, as if read from `file` (for its relative references). */
export function compileXsdSource(
  source: Uint8Array | string,
  file: string,
  root: string,
): CompiledXsd {
  ensureSchemaProvider();
  schemaRoots.add(path.resolve(root));
  const absolute = path.resolve(file);
  const options = { url: absolute, option: ParseOption.XML_PARSE_NONET };
  const doc =
    typeof source === 'string'
      ? XmlDocument.fromString(source, options)
      : XmlDocument.fromBuffer(source, options);
  let validator: XsdValidator;
  try {
    validator = XsdValidator.fromDoc(doc);
  } catch (err) {
    doc.dispose();
    throw err;
  }
  return {
    validator,
    dispose: () => {
      validator.dispose();
      doc.dispose();
    },
  };
}

/**
 * Validate a document or a subtree; returns libxml2's error details, empty only when it found
 * the node valid. A check libxml2 could not finish, or a refusal without a detail, is one detail
 * saying so: never valid, never an exception out of the validator.
 */
export function xsdErrors(validator: XsdValidator, node: XmlDocument | XmlElement): ErrorDetail[] {
  try {
    validator.validate(node as XmlDocument);
    return [];
  } catch (err) {
    if (err instanceof XmlLibError && err.details.length > 0) return err.details;
    if (!(err instanceof XmlError)) throw err;
    const why = err.message.trim() || 'no reason given';
    return [
      { message: `libxml2 could not complete the schema check: ${why}`, level: 2, line: 0, col: 0 },
    ];
  }
}
