/**
 * Messages: search (every filter through an index, newest first, cursor pages), a message's
 * story (what `itk-router track` prints, as JSON; texts masked for viewers, the router's own
 * answers' XML for operators only), and its original bytes (operators, audited first).
 */
import type { FastifyInstance } from 'fastify';
import {
  decodeCursor,
  encodeCursor,
  type MessageFilter,
  type PlanVersionOf,
} from '../../08-store/message-queries.js';
import type { MessageHistory, MessageStory } from '../../08-store/message-store.js';
import type { MessageState } from '../../08-store/states.js';
import { ApiError } from './api-error.js';
import {
  BODY_QUERY,
  schema,
  SEARCH_ANSWER,
  SEARCH_QUERY,
  STORY_ANSWER,
  TRACKING_PARAMS,
} from './api-schemas.js';
import { audit } from './audit-trail.js';
import type { HttpDeps } from './http-deps.js';
import { forRole } from './redact.js';
import type { Role } from './roles.js';

export interface SearchQuery {
  trackingId?: string;
  sender?: string;
  recipient?: string;
  state?: MessageState;
  service?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/** The store's filter for a query (times parsed; the schema checked their form). */
export function filterOf(q: SearchQuery): MessageFilter {
  return {
    ...(q.trackingId !== undefined && { trackingId: q.trackingId.trim() }),
    ...(q.sender !== undefined && { sender: q.sender }),
    ...(q.recipient !== undefined && { recipient: q.recipient }),
    ...(q.state !== undefined && { state: q.state }),
    ...(q.service !== undefined && { service: q.service }),
    ...(q.since !== undefined && { since: new Date(q.since) }),
    ...(q.until !== undefined && { until: new Date(q.until) }),
  };
}

export async function searchMessages(deps: HttpDeps, q: SearchQuery) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.cursor !== undefined && !after)
    throw new ApiError(
      'invalid-request',
      'cursor: not a cursor this API gave (use "next" as it came)',
    );
  const rows = await deps.store.queries.search(filterOf(q), q.limit + 1, after);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    messages: page.map((m) => ({
      trackingId: m.trackingId,
      sender: m.senderEndpointId,
      recipients: [...m.recipients],
      service: m.service,
      state: m.state,
      outcome: m.outcome,
      received: m.receivedAt.toISOString(),
      lastChange: m.lastChange.toISOString(),
    })),
    next: rows.length > q.limit && last ? encodeCursor(last) : null,
  };
}

const historyJson = (h: MessageHistory, role: Role) => ({
  trackingId: h.record.trackingId,
  generation: h.record.generation ?? 0,
  sender: h.record.senderEndpointId,
  brokerUser: h.record.brokerUser,
  senderAddress: h.record.senderAddress,
  service: h.record.service,
  interaction: h.record.interaction,
  state: h.record.state,
  outcome: h.record.outcome,
  received: h.record.receivedAt.toISOString(),
  completed: h.record.completedAt?.toISOString() ?? null,
  size: h.record.size,
  events: h.events.map((e) => ({
    state: e.state,
    at: e.at.toISOString(),
    detail: forRole(role, e.detail),
    endpoint: e.endpointId,
    code: e.code,
    ack: e.ackTrackingId,
  })),
  responses: h.responses.map((r) => ({
    kind: r.kind,
    trackingId: r.trackingId,
    to: r.toEndpointId,
    ...(role !== 'viewer' && { xml: r.xml }),
  })),
});

export const storyJson = (s: MessageStory, role: Role, plans: readonly PlanVersionOf[] = []) => ({
  trackingId: s.trackingId,
  messages: s.messages.map((h) => historyJson(h, role)),
  answeredBy: s.references.map((h) => historyJson(h, role)),
  about: s.originals.map((h) => historyJson(h, role)),
  carePlanVersions: plans.map((v) => ({
    planId: v.planId,
    version: v.version,
    event: v.event,
    by: v.endpointId,
    at: v.at.toISOString(),
  })),
});

/** The story as JSON, with the care-plan versions the message made. */
export async function storyOf(deps: HttpDeps, trackingId: string, role: Role) {
  const story = await findStory(deps, trackingId);
  return storyJson(story, role, await deps.store.queries.planVersionsOf(story.trackingId));
}

export async function findStory(deps: HttpDeps, trackingId: string): Promise<MessageStory> {
  const t = trackingId.trim();
  const story = (await deps.store.track(t)) ?? (await deps.store.track(t.toUpperCase()));
  if (!story) throw new ApiError('not-found', `no message with tracking id ${t}`);
  return story;
}

export function registerMessages(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: SearchQuery }>(
    '/api/v1/messages',
    { config: { access: 'viewer' }, schema: schema({ querystring: SEARCH_QUERY }, SEARCH_ANSWER) },
    async (req) => searchMessages(deps, req.query),
  );

  app.get<{ Params: { trackingId: string } }>(
    '/api/v1/messages/:trackingId',
    { config: { access: 'viewer' }, schema: schema({ params: TRACKING_PARAMS }, STORY_ANSWER) },
    async (req) => storyOf(deps, req.params.trackingId, req.principal!.role),
  );

  app.get<{ Params: { trackingId: string }; Querystring: { sender?: string } }>(
    '/api/v1/messages/:trackingId/body',
    {
      config: { access: 'operator' },
      schema: { params: TRACKING_PARAMS, querystring: BODY_QUERY },
    },
    async (req, reply) => {
      const { messages } = await findStory(deps, req.params.trackingId);
      const sender = req.query.sender;
      const chosen = sender
        ? messages.find((h) => h.record.senderEndpointId === sender)
        : messages[0];
      if (!chosen)
        throw new ApiError(
          'not-found',
          `no message with tracking id ${req.params.trackingId} from ${sender}`,
        );
      const bytes = await deps.store.originalBytes(chosen.record.id);
      if (!bytes || bytes.length === 0)
        throw new ApiError(
          'not-found',
          `the body of ${chosen.record.trackingId} was cleared by retention`,
        );
      await audit(deps, req, {
        action: 'body-view',
        target: chosen.record.trackingId,
        ...(chosen.record.senderEndpointId && { detail: `from ${chosen.record.senderEndpointId}` }),
      });
      return reply.type('application/xml').header('cache-control', 'no-store').send(bytes);
    },
  );
}
