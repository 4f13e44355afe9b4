/**
 * `send`: a message published to the router's inbound exchange as an end point the harness
 * plays (its broker user; user_id set unless told otherwise), from a template, a file, or the
 * bytes of an earlier send again (a duplicate). A template also sees `{{trackingId}}` (new),
 * `{{payloadId}}` (new `uuid_…`), `{{from.address}}` / `{{from.identity}}` (the sender's) and the
 * step's `with` values as `{{with.<name>}}`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newItkId } from '../../router/03-envelope/build-envelope.js';
import type { CaseState, StepOutcome } from './case-state.js';
import type { EndpointView } from './bindings.js';
import { HarnessError } from './harness-error.js';
import { OPS_SENDER, type SendStep } from './model.js';
import { expand, expandAll } from './template.js';

const TRACKING_ID = /(<(?:[\w.-]+:)?header\b[^>]*?\strackingid\s*=\s*")([^"]*)(")/;
const SERVICE = /<(?:[\w.-]+:)?header\b[^>]*?\sservice\s*=\s*"([^"]*)"/;
const MANIFEST_ID = /<(?:[\w.-]+:)?manifestitem\b[^>]*?\sid\s*=\s*"([^"]*)"/;

/** The bytes with a new tracking id in the header (bytes kept as they are otherwise). */
function withTrackingId(body: Buffer, trackingId: string): Buffer {
  const text = body.toString('latin1');
  return TRACKING_ID.test(text)
    ? Buffer.from(text.replace(TRACKING_ID, `$1${trackingId}$3`), 'latin1')
    : body;
}

/** Reads the facts a later step refers to, from the bytes as sent (which may be broken). */
export function factsOf(body: Buffer) {
  const text = body.toString('latin1');
  const trackingId = TRACKING_ID.exec(text)?.[2];
  const service = SERVICE.exec(text)?.[1];
  const payloadId = MANIFEST_ID.exec(text)?.[1];
  return {
    ...(trackingId ? { trackingId } : {}),
    ...(service ? { service } : {}),
    ...(payloadId ? { payloadId } : {}),
  };
}

/** What a send or call takes its DE from. */
export interface BodySource {
  readonly template?: string;
  readonly file?: string;
  readonly again?: string;
  readonly with: Readonly<Record<string, string>>;
  readonly freshTrackingId: boolean;
}

/** The DE bytes of a send or call: a template expanded, a file, or an earlier message again. */
export function messageBody(
  state: CaseState,
  step: BodySource,
  view: EndpointView | undefined,
): { body: Buffer; facts: ReturnType<typeof factsOf> } {
  const { ctx } = state;
  let body: Buffer;
  if (step.again !== undefined) {
    body = state.sentById(step.again)!.body;
  } else {
    const file = path.resolve(ctx.pack.dir, (step.template ?? step.file)!);
    const raw = fs.readFileSync(file);
    const trackingId = newItkId();
    if (step.template !== undefined) {
      const text = raw.toString('utf8');
      const scope = state.scope.with({
        trackingId,
        payloadId: `uuid_${newItkId()}`,
        ...(view ? { from: view } : {}),
        with: expandAll(step.with, state.scope),
      });
      body = Buffer.from(expand(text, scope, { xml: true }), 'utf8');
      if (step.freshTrackingId && !/\{\{\s*trackingId\s*\}\}/.test(text))
        body = withTrackingId(body, trackingId);
    } else {
      body = step.freshTrackingId ? withTrackingId(raw, trackingId) : raw;
    }
  }
  return { body, facts: factsOf(body) };
}

export async function runSend(
  state: CaseState,
  step: SendStep,
  index: number,
): Promise<StepOutcome> {
  const { ctx } = state;
  const ops = step.as === OPS_SENDER;
  const view = ops ? undefined : ctx.bindings.roles.get(step.as);
  const endpoint = ops ? OPS_SENDER : view!.id;
  if (!ops && view!.user === '')
    throw new HarnessError(
      `${step.as} (${endpoint}) lists no identities: no broker user can send as it (a web-service end point sends with call)`,
    );
  const source = step.template ?? step.file ?? `again ${step.again}`;
  const who = ops
    ? `the AMQP URL's own broker user ${ctx.target.opsUser}`
    : `${step.as} (${endpoint}, broker user ${view!.user})`;
  const title = `send ${source} as ${who}${step.userId ? '' : ', without user_id'}`;
  const { body, facts } = messageBody(state, step, view);
  const at = Date.now();
  const afterSeq = ctx.session.mail.next - 1;
  const user = await ctx.session.publish(endpoint, body, step.userId, facts.trackingId);
  const ref = state.addSent({
    id: step.id,
    endpoint,
    role: step.as,
    user,
    userIdSet: step.userId,
    body,
    at,
    afterSeq,
    step: index,
    ...facts,
  });
  return {
    status: 'passed',
    title,
    detail: `published and confirmed by the broker${facts.trackingId ? `: tracking id ${facts.trackingId}` : ''}`,
    messages: [ref],
  };
}
