/** Builds a ready validator: compiles the DE schema and the catalogue once. */
import { packagePath } from '../00-common/package-root.js';
import { SchemaCatalogue } from './schema-catalogue.js';
import type { SafetyLimits } from './safety.js';
import { validateMessage, type ValidationResult, type ValidatorOptions } from './validator.js';
import { compileSchema } from './compiled-schema.js';

export interface Validator {
  validate(bytes: Uint8Array): ValidationResult;
  /** Number of payload schemas compiled, besides the DE schema. */
  readonly schemaCount: number;
  dispose(): void;
}

export interface CreateValidatorOptions {
  /** Operator schema catalogues, matched before the bundled one. */
  readonly catalogues?: readonly string[];
  readonly limits?: SafetyLimits;
  readonly unknownPayloads?: 'pass' | 'refuse';
  readonly planTypes?: ReadonlySet<string>;
  readonly payloadContent?: boolean;
}

export function createValidator(options: CreateValidatorOptions = {}): Validator {
  const schemasDir = packagePath('schemas');
  const envelope = compileSchema(
    packagePath('schemas', 'itk', 'distribution-envelope-v2-0.xsd'),
    schemasDir,
  );
  let catalogue: SchemaCatalogue;
  try {
    catalogue = SchemaCatalogue.withOperatorCatalogues(options.catalogues ?? []);
  } catch (err) {
    envelope.dispose();
    throw err;
  }
  const validatorOptions: ValidatorOptions = {
    ...options,
    catalogue,
    envelopeSchema: envelope,
  };
  return {
    validate: (bytes) => validateMessage(bytes, validatorOptions),
    schemaCount: catalogue.size,
    dispose: () => {
      catalogue.dispose();
      envelope.dispose();
    },
  };
}
