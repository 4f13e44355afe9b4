/**
 * Writing the audit log from a request: who (the caller), what, which target, from where (the
 * client's address, behind a proxy the one it forwarded when `http.trustProxy` allows it).
 * A read of patient data is audited BEFORE it is answered: if the row cannot be written, the
 * data is not shown (503).
 */
import type { FastifyRequest } from 'fastify';
import type { AuditAction, AuditEntry } from '../../08-store/audit-log.js';
import { ApiError } from './api-error.js';
import type { HttpDeps } from './http-deps.js';

export interface AuditWhat {
  readonly action: AuditAction;
  readonly target?: string;
  readonly detail?: string;
  readonly outcome?: AuditEntry['outcome'];
  /** For a sign-in: the name tried (there is no caller yet). */
  readonly actor?: string;
}

export async function audit(deps: HttpDeps, req: FastifyRequest, what: AuditWhat): Promise<void> {
  const p = req.principal;
  const entry: AuditEntry = {
    at: deps.now(),
    actor: what.actor ?? p?.name ?? '(unknown)',
    ...(p && { role: p.role }),
    action: what.action,
    ...(what.target !== undefined && { target: what.target }),
    ...(what.detail !== undefined && { detail: what.detail }),
    outcome: what.outcome ?? 'ok',
    client: req.ip,
  };
  try {
    await deps.store.audit.record(entry);
  } catch (err) {
    deps.log.error('cannot write the audit log', {
      action: what.action,
      error: (err as Error).message,
    });
    throw new ApiError('unavailable', `cannot write the audit log: ${(err as Error).message}`);
  }
}
