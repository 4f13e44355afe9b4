/** Checks a YAML source against one of the bundled JSON Schemas (config/schema/*.schema.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ConfigProblem } from './config-error.js';
import { formatKeyPath, segmentsFromPointer, type KeySegment } from './key-path.js';
import { packageRoot } from '../00-common/package-root.js';
import { locate, type YamlSource } from './yaml-source.js';

/** The bundled schemas, by file name without `.schema.json`. */
export type SchemaName = 'router' | 'routes';

const compiled = new Map<SchemaName, ValidateFunction>();

/** Compiles a bundled schema once, on first use. */
function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (validate === undefined) {
    const file = join(packageRoot(), 'config', 'schema', `${name}.schema.json`);
    const ajv = new Ajv({
      allErrors: true,
      verbose: true,
      useDefaults: true,
      allowUnionTypes: true,
    });
    validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
    compiled.set(name, validate);
  }
  return validate;
}

/**
 * Validates `data` (the source's value, filled in place with the schema's defaults) and returns
 * one problem per schema error, each pointing at its line and key in `source`.
 */
export function checkSchema(name: SchemaName, data: unknown, source?: YamlSource): ConfigProblem[] {
  const validate = validatorFor(name);
  if (validate(data)) return [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'propertyNames') continue; // its inner error says which name and why
    const problem = toProblem(error, source, data);
    const id = `${problem.key}\u0000${problem.message}`;
    if (!seen.has(id)) problems.push(problem);
    seen.add(id);
  }
  return problems;
}

function toProblem(
  error: ErrorObject,
  source: YamlSource | undefined,
  data: unknown,
): ConfigProblem {
  const path: KeySegment[] = segmentsFromPointer(error.instancePath, data);
  let onKey = false;
  let message: string;
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    path.push(error.propertyName);
    onKey = true;
    message = `key ${JSON.stringify(error.propertyName)} ${describe(error)}`;
  } else if (error.keyword === 'additionalProperties') {
    path.push(String(params.additionalProperty));
    onKey = true;
    const allowed = Object.keys((error.parentSchema?.properties ?? {}) as object);
    message = allowed.length > 0 ? `unknown key (allowed: ${allowed.join(', ')})` : 'unknown key';
  } else if (error.keyword === 'required') {
    onKey = true;
    message = `missing required key ${JSON.stringify(params.missingProperty)}`;
  } else {
    message = `${describe(error)}, got ${JSON.stringify(error.data)}`;
  }
  const position = source === undefined ? undefined : locate(source, path, onKey);
  return { file: source?.file ?? '(defaults)', ...position, key: formatKeyPath(path), message };
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `must be ${[params.type].flat().map(String).join(' or ')}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern':
      return `must match ${String(params.pattern)}`;
    default:
      return error.message ?? error.keyword;
  }
}
