/** Configuration: config/router.yaml and the routes folder, loaded, checked and frozen. */
export { ConfigError, ENVIRONMENT, formatProblem, type ConfigProblem } from './config-error.js';
export { loadRouterConfig } from './load-router-config.js';
export { loadRoutes, type LoadRoutesOptions } from './load-routes.js';
export { packageRoot } from '../00-common/package-root.js';
export type {
  AmqpConfig,
  ConsoleConfig,
  HttpConfig,
  LogLevel,
  RouterConfig,
  StoreConfig,
} from './router-config.js';
export type { RetentionConfig } from './retention-config.js';
export type {
  CarePlansConfig,
  Endpoint,
  RouteConditions,
  RouteRule,
  Routes,
  SourceRef,
  Subscription,
} from './routes-config.js';
