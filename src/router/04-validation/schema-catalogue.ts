/**
 * The schema catalogue: which compiled XSD validates a payload, chosen by the manifest item's
 * profile id, else (first payload only) the interaction, else the service. Operator catalogues
 * are matched before the bundled one. Every schema compiles once, when the catalogue loads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { packagePath } from '../00-common/package-root.js';
import { compileSchema, type CompiledSchema } from './compiled-schema.js';
import type { XsdValidator } from './xml-engine.js';
import { RouterError } from '../00-common/router-error.js';

export interface CatalogueMatch {
  /** The catalogue entry id, for reports. */
  readonly schemaId: string;
  readonly validator: XsdValidator;
  readonly namespace: string;
  /** Root local names the payload may have. */
  readonly roots: readonly string[];
}

interface RawEntry {
  id: string;
  file: string;
  namespace: string;
  roots: string[];
  match: { profiles?: string[]; interactions?: string[]; services?: string[] };
}

/** The schema catalogue (schemas/catalogue.yaml) or a schema it names cannot be loaded. */
export class CatalogueError extends RouterError<'CATALOGUE_INVALID'> {
  override readonly name = 'CatalogueError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('CATALOGUE_INVALID', message, false, options);
  }
}

export const BUNDLED_CATALOGUE = (): string => packagePath('schemas', 'catalogue.yaml');

type Kind = 'profiles' | 'interactions' | 'services';

export class SchemaCatalogue {
  private readonly keys: Record<Kind, Map<string, CatalogueMatch>> = {
    profiles: new Map(),
    interactions: new Map(),
    services: new Map(),
  };
  private readonly compiled: CompiledSchema[] = [];

  private constructor() {}

  /** Load catalogues in order of precedence: the first to claim a key keeps it. */
  static load(files: readonly string[] = [BUNDLED_CATALOGUE()]): SchemaCatalogue {
    const catalogue = new SchemaCatalogue();
    try {
      for (const file of files) catalogue.add(path.resolve(file));
    } catch (err) {
      catalogue.dispose();
      throw err;
    }
    return catalogue;
  }

  /** Operator catalogues first, then the bundled one. */
  static withOperatorCatalogues(files: readonly string[]): SchemaCatalogue {
    return SchemaCatalogue.load([...files, BUNDLED_CATALOGUE()]);
  }

  private add(file: string): void {
    const entries = readCatalogue(file);
    const folder = path.dirname(file);
    for (const entry of entries) {
      const xsdFile = path.resolve(folder, entry.file);
      let xsd: CompiledSchema;
      try {
        xsd = compileSchema(xsdFile, path.dirname(xsdFile));
      } catch (err) {
        const details = (err as { details?: { message: string; line: number }[] }).details ?? [];
        const why = details.map((d) => `line ${d.line}: ${d.message.trim()}`).join('; ');
        throw new CatalogueError(
          `${file}: schema ${entry.id} (${xsdFile}) does not compile: ${why || String(err)}`,
        );
      }
      this.compiled.push(xsd);
      const base = {
        schemaId: entry.id,
        validator: xsd.validator,
        namespace: entry.namespace,
      };
      for (const kind of ['profiles', 'interactions', 'services'] as const) {
        for (const key of entry.match[kind] ?? []) {
          const perRoot = key.includes('<Name>');
          for (const root of perRoot ? entry.roots : [undefined]) {
            const expanded = root ? key.replaceAll('<Name>', root) : key;
            if (this.keys[kind].has(expanded)) continue;
            this.keys[kind].set(
              expanded,
              Object.freeze({ ...base, roots: Object.freeze(root ? [root] : entry.roots) }),
            );
          }
        }
      }
    }
  }

  /** The schema for one payload, or undefined when the catalogue does not know it. */
  lookup(key: {
    profileId?: string;
    interaction?: string;
    service?: string;
    primary: boolean;
  }): CatalogueMatch | undefined {
    if (key.profileId) {
      const byProfile = this.keys.profiles.get(key.profileId);
      if (byProfile || !key.primary) return byProfile;
    }
    if (!key.primary) return undefined;
    return (
      (key.interaction ? this.keys.interactions.get(key.interaction) : undefined) ??
      this.keys.services.get(key.service ?? '')
    );
  }

  /** How many schemas are compiled (for reports and benchmarks). */
  get size(): number {
    return this.compiled.length;
  }

  dispose(): void {
    for (const c of this.compiled.splice(0)) c.dispose();
  }
}

let validateShape: (((data: unknown) => boolean) & { errors?: unknown }) | undefined;

function readCatalogue(file: string): RawEntry[] {
  let data: unknown;
  try {
    data = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CatalogueError(`${file}: ${(err as Error).message}`);
  }
  if (!validateShape) {
    const schema = JSON.parse(
      fs.readFileSync(packagePath('schemas', 'catalogue.schema.json'), 'utf8'),
    );
    validateShape = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (!validateShape(data)) {
    const errors = (validateShape.errors as { instancePath: string; message?: string }[]) ?? [];
    throw new CatalogueError(
      `${file}: ${errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`,
    );
  }
  return (data as { schemas: RawEntry[] }).schemas;
}
