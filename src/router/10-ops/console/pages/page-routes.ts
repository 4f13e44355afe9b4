/**
 * The console's pages under `/console/`: server-rendered HTML from the same functions the API
 * answers with, a small script per page for what changes something (sign-in, sign-out,
 * quarantine replay and purge), and the stylesheet and scripts served from the package. A page
 * needs the same role as the API route it shows; signed out, the browser goes to sign in.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isValidNhsNumber } from '../../../04-validation/nhs-number.js';
import { ApiError } from '../api-error.js';
import { findStory, searchMessages, storyOf, type SearchQuery } from '../api-messages.js';
import { carePlansOf, overdueAcks } from '../api-operations.js';
import { auditPage, stats, type AuditQueryString } from '../api-overview.js';
import { audit } from '../audit-trail.js';
import type { HttpDeps } from '../http-deps.js';
import type { Access } from '../roles.js';
import { readAssets } from './assets.js';
import { html, type Html } from './html.js';
import { page, type PageFrame } from './layout.js';
import { bodyView, searchForm, searchResults, storyView } from './message-pages.js';
import {
  auditView,
  carePlanView,
  dashboardView,
  overdueView,
  quarantineView,
  routesView,
} from './ops-pages.js';
import { prettyXml } from './pretty-xml.js';

const send = (reply: FastifyReply, body: Html, status = 200) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body.text);

/** The page shown for an error on a page route (403, 404, …). */
export const errorPage = (frame: PageFrame, message: string): Html =>
  page(
    frame,
    html`<p class="error" role="alert">${message}</p>
      <p><a href="/console/">Back to the dashboard</a></p>`,
  );

export function registerPages(app: FastifyInstance, deps: HttpDeps): void {
  const assets = readAssets();
  const at = (access: Access) => ({ config: { access, page: true } });
  const frame = (
    req: { principal: PageFrame['principal'] },
    title: string,
    current?: string,
    scripts?: string[],
  ) => ({
    title,
    principal: req.principal,
    ...(current && { current }),
    ...(scripts && { scripts }),
  });

  app.get('/console', at('open'), async (_req, reply) => reply.redirect('/console/', 301));
  app.get<{ Params: { file: string } }>(
    '/console/assets/:file',
    { config: { access: 'open' } },
    async (req, reply) => {
      const asset = assets.get(req.params.file);
      if (!asset) throw new ApiError('not-found', `no such asset: ${req.params.file}`);
      return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
    },
  );
  app.get('/console/sign-in', at('open'), async (req, reply) =>
    send(
      reply,
      page(
        { title: 'Sign in', principal: null, scripts: ['sign-in.js'] },
        html`<form id="sign-in" class="sign-in">
          <label for="username">User name</label
          ><input id="username" name="username" autocomplete="username" required />
          <label for="password">Password</label
          ><input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
          <button type="submit">Sign in</button>
          <p role="alert" id="sign-in-error" class="error" hidden></p>
        </form>`,
      ),
    ),
  );

  app.get<{ Querystring: { window?: '15m' | '1h' | '6h' | '24h' } }>(
    '/console/',
    at('viewer'),
    async (req, reply) => {
      const window =
        req.query.window && ['15m', '1h', '6h', '24h'].includes(req.query.window)
          ? req.query.window
          : '1h';
      return send(
        reply,
        page(frame(req, 'Dashboard', '/console/'), dashboardView(await stats(deps, window))),
      );
    },
  );

  app.get<{ Querystring: Partial<Record<keyof SearchQuery, string>> }>(
    '/console/messages',
    at('viewer'),
    async (req, reply) => {
      const q = Object.fromEntries(
        Object.entries(req.query).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
      ) as Partial<SearchQuery>;
      let results: Html;
      try {
        results = searchResults(await searchMessages(deps, { ...q, limit: 50 } as SearchQuery), q);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        results = html`<p class="error" role="alert">${err.message}</p>`;
      }
      return send(
        reply,
        page(frame(req, 'Messages', '/console/messages'), html`${searchForm(q)}${results}`),
      );
    },
  );

  app.get<{ Params: { trackingId: string } }>(
    '/console/messages/:trackingId',
    at('viewer'),
    async (req, reply) => {
      const story = await storyOf(deps, req.params.trackingId, req.principal!.role);
      return send(
        reply,
        page(
          frame(req, `Message ${story.trackingId}`, '/console/messages'),
          storyView(story, req.principal!),
        ),
      );
    },
  );

  app.get<{ Params: { trackingId: string }; Querystring: { sender?: string } }>(
    '/console/messages/:trackingId/body',
    at('operator'),
    async (req, reply) => {
      const { messages } = await findStory(deps, req.params.trackingId);
      const chosen = req.query.sender
        ? messages.find((h) => h.record.senderEndpointId === req.query.sender)
        : messages[0];
      const bytes = chosen && (await deps.store.originalBytes(chosen.record.id));
      if (!chosen || !bytes || bytes.length === 0)
        throw new ApiError(
          'not-found',
          `no body kept for ${req.params.trackingId} (cleared by retention, or no such message)`,
        );
      await audit(deps, req, { action: 'body-view', target: chosen.record.trackingId });
      return send(
        reply,
        page(
          frame(req, `Body of ${chosen.record.trackingId}`, '/console/messages'),
          bodyView(chosen.record.trackingId, prettyXml(bytes.toString('utf8'))),
        ),
      );
    },
  );

  app.get('/console/quarantine', at('viewer'), async (req, reply) => {
    if (!deps.quarantine)
      throw new ApiError('unavailable', 'the quarantine is not available on this server');
    const listing = await deps.quarantine.list();
    return send(
      reply,
      page(
        frame(req, 'Quarantine', '/console/quarantine', ['quarantine.js']),
        quarantineView(listing, req.principal!),
      ),
    );
  });

  app.get('/console/overdue', at('viewer'), async (req, reply) =>
    send(
      reply,
      page(frame(req, 'Overdue acks', '/console/overdue'), overdueView(await overdueAcks(deps))),
    ),
  );

  app.get<{ Querystring: { nhsNumber?: string } }>(
    '/console/careplans',
    at('operator'),
    async (req, reply) => {
      const nhs = req.query.nhsNumber?.replace(/\s+/g, '');
      const title = frame(req, 'Care plans', '/console/careplans');
      if (!nhs) return send(reply, page(title, carePlanView(undefined, undefined)));
      if (!isValidNhsNumber(nhs))
        return send(
          reply,
          page(
            title,
            carePlanView(
              nhs,
              undefined,
              `${nhs} is not a valid NHS number (10 digits with a valid check digit)`,
            ),
          ),
          400,
        );
      await audit(deps, req, { action: 'careplan-lookup', target: nhs });
      return send(reply, page(title, carePlanView(nhs, await carePlansOf(deps, nhs))));
    },
  );

  app.get('/console/routes', at('viewer'), async (req, reply) =>
    send(
      reply,
      page(
        frame(req, 'Routes in force', '/console/routes'),
        routesView(deps.routes() as Parameters<typeof routesView>[0]),
      ),
    ),
  );

  app.get<{ Querystring: { user?: string; cursor?: string } }>(
    '/console/audit',
    at('admin'),
    async (req, reply) => {
      const q: AuditQueryString = {
        limit: 100,
        ...(req.query.user?.trim() && { user: req.query.user.trim() }),
        ...(req.query.cursor &&
          /^\d{1,18}$/.test(req.query.cursor) && { cursor: req.query.cursor }),
      };
      return send(
        reply,
        page(
          frame(req, 'Audit log', '/console/audit'),
          auditView(await auditPage(deps, q), q.user),
        ),
      );
    },
  );
}
