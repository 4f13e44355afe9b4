/**
 * Loads a test pack: `pack.yaml` and every `cases/*.yaml` (file-name order), each checked against
 * its schema, converted to the model and cross-checked (pack-checks.ts). Every problem is
 * reported at once, with file, line and key.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { ConfigProblem } from '../../router/01-config/index.js';
import { formatKeyPath, segmentsFromPointer } from '../../router/01-config/key-path.js';
import { locate, readYamlSource, type YamlSource } from '../../router/01-config/yaml-source.js';
import { packageRoot } from '../../router/00-common/package-root.js';
import { PackError } from './harness-error.js';
import type { Pack, PackVar, Requirement, TestCase } from './model.js';
import { checkPack } from './pack-checks.js';
import { packValidators } from './pack-schema.js';
import { parseSteps } from './parse-steps.js';

type Raw = Record<string, unknown>;

function schemaProblems(validate: ValidateFunction, source: YamlSource): ConfigProblem[] {
  if (validate(source.value)) return [];
  return (validate.errors ?? []).map((error) => {
    const at = segmentsFromPointer(error.instancePath, source.value);
    const params = error.params as Record<string, unknown>;
    let message = error.message ?? error.keyword;
    if (error.keyword === 'additionalProperties') {
      at.push(String(params.additionalProperty));
      message = `unknown key ${JSON.stringify(params.additionalProperty)}`;
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    }
    return { file: source.file, ...locate(source, at), key: formatKeyPath(at), message };
  });
}

function read(file: string, validate: ValidateFunction, problems: ConfigProblem[]) {
  const result = readYamlSource(file);
  problems.push(...result.problems);
  if (!result.source) return undefined;
  const found = schemaProblems(validate, result.source);
  problems.push(...found);
  return found.length === 0 ? result.source : undefined;
}

/** A pack folder given as a path, or a bundled pack's name (`packs/<name>` of the package). */
export function resolvePackDir(nameOrPath: string, cwd = process.cwd()): string {
  const asPath = path.resolve(cwd, nameOrPath);
  if (fs.existsSync(path.join(asPath, 'pack.yaml'))) return asPath;
  const bundled = path.join(packageRoot(), 'packs', nameOrPath);
  if (/^[a-z0-9-]+$/.test(nameOrPath) && fs.existsSync(path.join(bundled, 'pack.yaml')))
    return bundled;
  throw new PackError([
    {
      file: asPath,
      key: '',
      message: `no pack here (no pack.yaml), nor a bundled pack of that name`,
    },
  ]);
}

/** The bundled packs' names (folders of `packs/` holding a pack.yaml). */
export function bundledPacks(): string[] {
  const dir = path.join(packageRoot(), 'packs');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'pack.yaml')))
    .sort();
}

/** Loads and checks a pack. @throws PackError with every problem found. */
export function loadPack(nameOrPath: string): Pack {
  const dir = resolvePackDir(nameOrPath);
  const { pack: packSchema, cases: casesSchema } = packValidators();
  const problems: ConfigProblem[] = [];
  const packSource = read(path.join(dir, 'pack.yaml'), packSchema, problems);
  const casesDir = path.join(dir, 'cases');
  const caseFiles = fs.existsSync(casesDir)
    ? fs
        .readdirSync(casesDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];
  const cases: TestCase[] = [];
  for (const name of caseFiles) {
    const source = read(path.join(casesDir, name), casesSchema, problems);
    if (!source) continue;
    ((source.value as Raw).cases as Raw[]).forEach((raw, index) => {
      cases.push({
        id: String(raw.id),
        title: String(raw.title),
        requirements: (raw.requirements as unknown[]).map(String),
        ...(raw.needs !== undefined ? { needs: raw.needs as TestCase['needs'] } : {}),
        steps: parseSteps(raw.steps as unknown[], source, ['cases', index, 'steps'], problems),
        origin: { file: source.file, ...(locate(source, ['cases', index, 'id']) ?? {}) },
      });
    });
  }
  if (!packSource) throw new PackError(problems);
  const raw = packSource.value as Raw;
  const vars: PackVar[] = Object.entries((raw.vars ?? {}) as Raw).map(([name, v]) =>
    v !== null && typeof v === 'object'
      ? {
          name,
          ...((v as Raw).default !== undefined ? { default: String((v as Raw).default) } : {}),
          ...((v as Raw).description !== undefined
            ? { description: String((v as Raw).description) }
            : {}),
        }
      : { name, default: String(v) },
  );
  const pack: Pack = {
    dir,
    name: String(raw.name),
    title: String(raw.title),
    description: String(raw.description ?? ''),
    target: raw.target === 'supplier' ? 'supplier' : 'router',
    roles: (raw.roles ?? {}) as Record<string, string>,
    vars,
    requirements: raw.requirements as Requirement[],
    namespaces: (raw.namespaces ?? {}) as Record<string, string>,
    setup: parseSteps((raw.setup ?? []) as unknown[], packSource, ['setup'], problems),
    cases,
  };
  if (caseFiles.length === 0)
    problems.push({ file: casesDir, key: '', message: 'no case files (cases/*.yaml)' });
  problems.push(...checkPack(pack));
  if (problems.length > 0) throw new PackError(problems);
  return pack;
}
