/**
 * What ops teams act on: the quarantine (list; replay and purge one entry, operators, audited),
 * overdue acks, and the care-plan index by NHS number (operators, audited before answering).
 */
import type { FastifyInstance } from 'fastify';
import { isValidNhsNumber } from '../../04-validation/nhs-number.js';
import { ApiError } from './api-error.js';
import {
  ACTION_ANSWER,
  CAREPLAN_ANSWER,
  CAREPLAN_QUERY,
  ENTRY_PARAMS,
  OVERDUE_ANSWER,
  QUARANTINE_ANSWER,
  REASON_BODY,
  schema,
} from './api-schemas.js';
import { audit } from './audit-trail.js';
import type { HttpDeps } from './http-deps.js';
import type { QuarantineConsole, QuarantineOutcome } from './quarantine-console.js';
import { forRole } from './redact.js';

const STATUS: Record<QuarantineOutcome['status'], number> = {
  replayed: 200,
  purged: 200,
  'not-found': 404,
  refused: 409,
  failed: 502,
};

function quarantineOf(deps: HttpDeps): QuarantineConsole {
  if (!deps.quarantine)
    throw new ApiError('unavailable', 'the quarantine is not available on this server');
  return deps.quarantine;
}

export async function overdueAcks(deps: HttpDeps) {
  const now = deps.now();
  return {
    overdue: (await deps.store.acks.overdue(1000)).map((a) => ({
      trackingId: a.trackingId,
      sender: a.senderEndpointId,
      service: a.service,
      ack: a.kind,
      from: a.endpointId,
      due: a.dueAt.toISOString(),
      markedOverdue: a.markedAt.toISOString(),
      lateSeconds: Math.max(0, Math.floor((now.getTime() - a.dueAt.getTime()) / 1000)),
    })),
  };
}

export async function carePlansOf(deps: HttpDeps, nhsNumber: string) {
  const plans = await deps.store.carePlans.findPlans(nhsNumber);
  return {
    nhsNumber,
    plans: await Promise.all(
      plans.map(async (p) => ({
        planId: p.planId,
        planType: p.planType,
        status: p.status,
        title: p.title,
        owner: p.ownerEndpointId,
        ownerAddress: p.ownerAddress,
        version: p.version,
        consentToShare: p.consentToShare,
        sharedWith: [...p.sharedWith],
        lastUpdated: p.lastUpdated,
        closed: p.closed,
        versions: (await deps.store.carePlans.history(p.planId)).map((v) => ({
          version: v.version,
          event: v.event,
          by: v.endpointId,
          trackingId: v.trackingId,
          at: v.at.toISOString(),
        })),
      })),
    ),
  };
}

export function registerOperations(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/api/v1/quarantine',
    { config: { access: 'viewer' }, schema: schema({}, QUARANTINE_ANSWER) },
    async (req) => {
      const listing = await quarantineOf(deps).list();
      const role = req.principal!.role;
      return {
        depth: listing.depth,
        entries: listing.entries.map((e) => ({
          id: e.id,
          code: e.code ?? null,
          text: forRole(role, e.text),
          sender: e.sender ?? null,
          trackingId: e.trackingId ?? null,
          when: e.when?.toISOString() ?? null,
          size: e.size,
        })),
      };
    },
  );

  const act =
    (kind: 'replay' | 'purge') =>
    async (
      req: { params: { id: string }; body: { reason: string } } & Parameters<typeof audit>[1],
      reply: { code(n: number): unknown },
    ) => {
      const { id } = req.params;
      const reason = req.body.reason.trim();
      if (!reason) throw new ApiError('invalid-request', 'body/reason must not be blank');
      const q = quarantineOf(deps);
      const outcome =
        kind === 'replay'
          ? await q.replay(id, reason, `console:${req.principal!.name}`)
          : await q.purge(id);
      const ok = outcome.status === 'replayed' || outcome.status === 'purged';
      await audit(deps, req, {
        action: kind === 'replay' ? 'quarantine-replay' : 'quarantine-purge',
        target: id,
        detail: ok
          ? reason
          : `${reason} (${outcome.status}: ${'reason' in outcome ? outcome.reason : ''})`,
        outcome: ok ? 'ok' : outcome.status === 'failed' ? 'failed' : 'refused',
      });
      reply.code(STATUS[outcome.status]);
      return {
        id,
        status: outcome.status,
        ...('trackAs' in outcome && { trackAs: outcome.trackAs }),
        ...('reason' in outcome && { reason: outcome.reason }),
      };
    };
  const actionSchema = schema({ params: ENTRY_PARAMS, body: REASON_BODY }, ACTION_ANSWER);
  const actionAnswers = {
    ...actionSchema.response,
    404: ACTION_ANSWER,
    409: ACTION_ANSWER,
    502: ACTION_ANSWER,
  };
  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/api/v1/quarantine/:id/replay',
    { config: { access: 'operator' }, schema: { ...actionSchema, response: actionAnswers } },
    act('replay'),
  );
  app.delete<{ Params: { id: string }; Body: { reason: string } }>(
    '/api/v1/quarantine/:id',
    { config: { access: 'operator' }, schema: { ...actionSchema, response: actionAnswers } },
    act('purge'),
  );

  app.get(
    '/api/v1/overdue',
    { config: { access: 'viewer' }, schema: schema({}, OVERDUE_ANSWER) },
    async () => overdueAcks(deps),
  );

  app.get<{ Querystring: { nhsNumber: string } }>(
    '/api/v1/careplans',
    {
      config: { access: 'operator' },
      schema: schema({ querystring: CAREPLAN_QUERY }, CAREPLAN_ANSWER),
    },
    async (req) => {
      const { nhsNumber } = req.query;
      if (!isValidNhsNumber(nhsNumber))
        throw new ApiError(
          'invalid-request',
          `querystring/nhsNumber ${nhsNumber}: the check digit is wrong`,
        );
      await audit(deps, req, { action: 'careplan-lookup', target: nhsNumber });
      return carePlansOf(deps, nhsNumber);
    },
  );
}
