/** Every route of `/api/v1/` (docs/console.md has the table of routes and roles). */
import type { FastifyInstance } from 'fastify';
import { registerMessages } from './api-messages.js';
import { registerOperations } from './api-operations.js';
import { registerOverview } from './api-overview.js';
import { registerSession } from './api-session.js';
import type { HttpDeps } from './http-deps.js';

export function registerApi(app: FastifyInstance, deps: HttpDeps): void {
  registerSession(app, deps);
  registerMessages(app, deps);
  registerOperations(app, deps);
  registerOverview(app, deps);
}
