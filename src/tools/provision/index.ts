/** Broker accounts from the routes: a pure plan, rendered as rabbitmqctl commands or definitions. */
export {
  planProvisioning,
  type BrokerAccount,
  type ProvisionInput,
  type ProvisionPlan,
} from './plan.js';
export {
  endpointPermissions,
  routerPermissions,
  NOTHING,
  type Permissions,
} from './permissions.js';
export { renderRabbitmqctl, shellQuote, type ScriptOptions } from './rabbitmqctl-script.js';
export { renderDefinitions, type Definitions, type DefinitionsOptions } from './definitions.js';
export { checkRabbitPasswordHash, rabbitPasswordHash, HASHING_ALGORITHM } from './password-hash.js';
export {
  generatePassword,
  knownPasswords,
  passwordVariables,
  PASSWORD_MODES,
  type KnownPasswords,
  type PasswordMode,
} from './passwords.js';
export { ProvisionError } from './provision-error.js';
export {
  PROVISION_FORMATS,
  renderPlan,
  usersWithoutPassword,
  type ProvisionFormat,
  type RenderOptions,
} from './render.js';
